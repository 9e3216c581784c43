import { describeResource } from '../../src/core/object-ref.js';
import { defineBuiltinCheck } from '../../src/catalogue/check-unit.js';
import { asArray, asObject, asString } from '../../src/core/json.js';
import type { ContainerSite, Draft, FieldPath, Inventory } from '../../src/core/types.js';
import { CONTAINER_KINDS, containerLabel, workloadContainers, type WorkloadContainer } from '../../src/kube/containers.js';
import { parseImageRef } from '../../src/kube/image-ref.js';
import { indicatorsInImage, indicatorsInText, type Indicator } from '../../src/kube/miner-iocs.js';
import { mlImageFamily } from '../../src/kube/ml-images.js';

/** One piece of container text and where it sits. */
interface TextEntry {
  path: FieldPath;
  /** `args[2]`, `env POOL_URL`, `env POOL (ConfigMap ml/miner key pool)`. */
  where: string;
  text: string;
}

const check = defineBuiltinCheck({
  meta: {
    id: 'miner-indicators',
    title: 'Container carries crypto-miner indicators',
    category: 'miner',
    severity: 'critical',
    description:
      'A container image, command, argument, environment value (literal or from a ConfigMap), Argo script or lifecycle hook carries a crypto-miner indicator: a Stratum URL (stratum+tcp, stratum+ssl, stratum1/2), a miner binary (xmrig, xmr-stak, ethminer, cpuminer, minerd, nbminer, t-rex, lolminer, phoenixminer, ...), XMRig\'s --donate-level, a known mining-pool host (Falco\'s miner_domains and their pool operators), the 2020 Kubeflow campaign image, or, inside ML images, a download-and-execute one-liner. Pool ports count only next to one of those.',
    rationale:
      'The 2021 attackers ran XMRig and Ethminer from pipeline pods based on tensorflow/tensorflow images, passing the pool URL and wallet on the command line; the 2020 campaign deployed an XMRig image through Jupyter. These strings are what a miner needs to work, so finding them in a spec means a miner runs or is about to.',
    remediation:
      'Treat it as an incident: stop the workload (delete the pipeline run, recurring run or pod), find who created it (audit logs, Kubeflow pipeline owner), rotate credentials it could read, and block the entry point (exposed dashboard, missing authentication).',
    tags: ['MS-TA9039'],
    // ConfigMaps: env values taken from them are read (Secrets never are).
    needs: [...CONTAINER_KINDS, 'ConfigMap'],
  },
  *run(inventory) {
    for (const container of workloadContainers(inventory)) yield* judge(container, inventory);
  },
  attackPath: ['workloads'],
});

function* judge({ site, kfpComponent }: WorkloadContainer, inventory: Inventory): Generator<Draft> {
  const image = asString(site.container['image']);
  const ref = image === null ? null : parseImageRef(image);
  const mlImage = ref !== null && mlImageFamily(ref) !== null;
  const label = `${containerLabel(site, kfpComponent)} in ${describeResource(site.pod.resource)}`;
  const draft = (entry: { path: FieldPath; where: string }, indicators: Indicator[]): Draft => ({
    resource: site.pod.resource,
    path: entry.path,
    key: `${kfpComponent ? 'kfp-v2/' : ''}${site.pod.role ?? ''}/${site.type}/${site.name}/${entry.where}`,
    message: `${label} carries ${indicators.length === 1 ? 'a crypto-miner indicator' : 'crypto-miner indicators'} in ${entry.where}: ${joinList(indicators.map((i) => i.description))}`,
  });

  if (ref) {
    const indicators = indicatorsInImage(ref);
    if (indicators.length > 0) yield draft({ path: kfpComponent ? site.path : [...site.path, 'image'], where: 'its image' }, indicators);
  }
  const seen = textIndicators(inventory, mlImage);
  for (const entry of textEntries(site, kfpComponent, inventory)) {
    let indicators = seen.get(entry.text);
    if (indicators === undefined) {
      indicators = indicatorsInText(entry.text, { mlImage });
      seen.set(entry.text, indicators);
    }
    if (indicators.length > 0) yield draft(entry, indicators);
  }
}

/** Indicators by text: the replicas of a workload, and workloads of one chart, repeat the same strings. */
function textIndicators(inventory: Inventory, mlImage: boolean): Map<string, Indicator[]> {
  return inventory.memo(`miner-indicators:text:${mlImage ? 'ml' : 'other'}`, () => new Map<string, Indicator[]>());
}

/**
 * The strings a container runs with. Environment values set from a Secret are never read: kfscan does
 * not load Secrets for this check, and their values must not end up in a report. ConfigMap values are
 * followed, since a pool URL there is as good as on the command line.
 */
function textEntries(site: ContainerSite, kfpComponent: boolean, inventory: Inventory): TextEntry[] {
  const container = site.container;
  const at = (relative: FieldPath): FieldPath => (kfpComponent ? site.path : [...site.path, ...relative]);
  const suffix = kfpComponent ? ' of the component spec' : '';
  const entries: TextEntry[] = [];
  const strings = (base: FieldPath, name: string): void => {
    asArray(base.reduce<unknown>((value, step) => asObject(value)?.[step as string], container)).forEach((value, index) => {
      if (typeof value === 'string') entries.push({ path: at([...base, index]), where: `${name}[${index}]${suffix}`, text: value });
    });
  };
  strings(['command'], 'command');
  strings(['args'], 'args');
  for (const hook of ['postStart', 'preStop']) strings(['lifecycle', hook, 'exec', 'command'], `lifecycle.${hook} command`);
  const source = asString(container['source']);
  if (source !== null && site.type === 'script') entries.push({ path: at(['source']), where: 'the script source', text: source });

  const namespace = site.pod.namespace;
  asArray(container['env']).forEach((entry, index) => {
    const env = asObject(entry);
    const name = asString(env?.['name']) ?? `#${index}`;
    const value = asString(env?.['value']);
    if (value !== null) {
      entries.push({ path: at(['env', index, 'value']), where: `env ${name}${suffix}`, text: value });
      return;
    }
    const ref = asObject(asObject(env?.['valueFrom'])?.['configMapKeyRef']);
    const mapName = asString(ref?.['name']);
    const key = asString(ref?.['key']);
    const text = mapName && key ? configMapValue(inventory, namespace, mapName, key) : null;
    if (text !== null) entries.push({ path: at(['env', index]), where: `env ${name} (ConfigMap ${namespace}/${mapName} key ${key})`, text });
  });
  asArray(container['envFrom']).forEach((entry, index) => {
    const mapName = asString(asObject(asObject(entry)?.['configMapRef'])?.['name']);
    const configMap = mapName ? inventory.get('ConfigMap', namespace, mapName) : undefined;
    const data = asObject(configMap?.obj['data']);
    for (const [key, value] of Object.entries(data ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (typeof value === 'string') entries.push({ path: at(['envFrom', index]), where: `envFrom ConfigMap ${namespace}/${mapName} key ${key}`, text: value });
    }
  });
  return entries;
}

function configMapValue(inventory: Inventory, namespace: string, name: string, key: string): string | null {
  return asString(asObject(inventory.get('ConfigMap', namespace, name)?.obj['data'])?.[key]);
}

function joinList(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

export default check;
