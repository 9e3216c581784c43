import { describeResource } from '../../src/core/object-ref.js';
import { defineBuiltinCheck } from '../../src/catalogue/check-unit.js';
import { asArray, asObject, asString } from '../../src/core/json.js';
import type { ContainerSite, Draft, FieldPath, Inventory, PodTemplateSite, Resource } from '../../src/core/types.js';
import { volumeSources } from '../../src/kube/container-env.js';
import { CONTAINER_KINDS, containerLabel, workloadContainers, type WorkloadContainer } from '../../src/kube/containers.js';
import { parseImageRef } from '../../src/kube/image-ref.js';
import { indicatorsInImage, indicatorsInText, type Indicator } from '../../src/kube/miner-iocs.js';
import { mlImageFamily } from '../../src/kube/ml-images.js';
import { containerSecretReferences } from '../../src/kube/secret-references.js';
import { configMapEntry, lookupSecret, secretEntries, secretEntry, type StoredValue } from '../../src/kube/secrets.js';
import { sensorProduct } from '../../src/kube/runtime-sensors.js';

/** One piece of container text and where it sits. */
interface TextEntry {
  text: string;
  /**
   * Its path and `where` (`args[2]`, `env POOL_URL`, `env POOL (ConfigMap ml/miner key pool)`), worked
   * out for a finding only: a large cluster's containers hold hundreds of thousands of strings.
   */
  locate(): { path: FieldPath; where: string };
  /** A file the container reads (a mounted ConfigMap or Secret key): config-file forms count. */
  file?: boolean;
  /** From a Secret: indicators are named, the value never shown. */
  secret?: boolean;
  /** The ConfigMap or Secret key that holds the text. */
  source?: { resource: Resource; path: FieldPath };
}

const check = defineBuiltinCheck({
  meta: {
    id: 'miner-indicators',
    title: 'Container carries crypto-miner indicators',
    category: 'miner',
    severity: 'critical',
    description:
      "A container image, command, argument, environment value (literal, or from a ConfigMap or Secret), Argo script, lifecycle hook, or a ConfigMap or Secret file it mounts (a miner's config) carries a crypto-miner indicator: a Stratum URL (stratum+tcp, stratum+ssl, stratum1/2), a miner binary (xmrig, xmr-stak, ethminer, cpuminer, minerd, nbminer, t-rex, lolminer, phoenixminer, ...), XMRig's --donate-level (or its donate-level setting in a config file), a known mining-pool host (a maintained list with sources: Falco's miner_domains and beyond), the 2020 Kubeflow campaign image, or, inside ML images, a download-and-run one-liner, whatever runs the download (a shell, python3 -, perl, node, bash <(curl ...), python -c \"$(curl ...)\", base64 -d | sh). Pool ports count only next to one of those. Text from Secrets is judged, never quoted.",
    rationale:
      'The 2021 attackers ran XMRig and Ethminer from pipeline pods based on tensorflow/tensorflow images, passing the pool URL and wallet on the command line; the 2020 campaign deployed an XMRig image through Jupyter. These strings are what a miner needs to work, so finding them in a spec means a miner runs or is about to.',
    remediation:
      'Treat it as an incident: stop the workload (delete the pipeline run, recurring run or pod), find who created it (audit logs, Kubeflow pipeline owner), rotate credentials it could read, and block the entry point (exposed dashboard, missing authentication).',
    tags: ['MS-TA9039'],
    // ConfigMaps and Secrets the containers mount or take env values from: a miner's config file or pool URL.
    needs: [...CONTAINER_KINDS, 'ConfigMap'],
  },
  // Many Secrets, which a minimal role does not grant: read when allowed, not a coverage gap when refused.
  secretsToRead: (inventory) => containerSecretReferences(inventory).map((secret) => ({ ...secret, optional: true })),
  *run(inventory) {
    for (const container of workloadContainers(inventory)) yield* judge(container, inventory);
  },
  attackPath: ['workloads'],
});

function* judge({ site, kfpComponent }: WorkloadContainer, inventory: Inventory): Generator<Draft> {
  const image = asString(site.container['image']);
  const ref = image === null ? null : parseImageRef(image);
  const mlImage = ref !== null && mlImageFamily(ref) !== null;
  const draft = (entry: { path: FieldPath; where: string }, source: TextEntry['source'], indicators: Indicator[]): Draft => ({
    resource: site.pod.resource,
    path: entry.path,
    key: `${kfpComponent ? 'kfp-v2/' : ''}${site.pod.role ?? ''}/${site.type}/${site.name}/${entry.where}`,
    message: `${containerLabel(site, kfpComponent)} in ${describeResource(site.pod.resource)} carries ${indicators.length === 1 ? 'a crypto-miner indicator' : 'crypto-miner indicators'} in ${entry.where}: ${joinList(indicators.map((i) => i.description))}`,
    ...(source ? { related: [{ resource: source.resource, path: source.path, note: 'where the text is' }] } : {}),
  });

  if (ref) {
    const indicators = indicatorsInImage(ref);
    if (indicators.length > 0) yield draft({ path: kfpComponent ? site.path : [...site.path, 'image'], where: 'its image' }, undefined, indicators);
  }
  const seen = textIndicators(inventory, mlImage);
  const sensor = isRuntimeSensor(site);
  for (const entry of textEntries(site, kfpComponent, inventory)) {
    // Falco and other sensors mount rules that name pools and Stratum URLs to catch miners.
    if (entry.file && sensor) continue;
    const options = { mlImage, configFile: entry.file === true, redact: entry.secret === true };
    // By the text itself, whose hash V8 keeps, rather than a key string built for each entry.
    const known = seen[(options.configFile ? 2 : 0) + (options.redact ? 1 : 0)]!;
    let indicators = known.get(entry.text);
    if (indicators === undefined) {
      indicators = indicatorsInText(entry.text, options);
      known.set(entry.text, indicators);
    }
    if (indicators.length > 0) yield draft(entry.locate(), entry.source, indicators);
  }
}

/**
 * Indicators by text, for text (0), a Secret's text (1), a file (2) and a Secret's file (3): the replicas
 * of a workload, and workloads of one chart, repeat the same strings.
 */
function textIndicators(inventory: Inventory, mlImage: boolean): ReadonlyArray<Map<string, Indicator[]>> {
  return inventory.memo(`miner-indicators:text:${mlImage ? 'ml' : 'other'}`, () => [0, 1, 2, 3].map(() => new Map<string, Indicator[]>()));
}

/**
 * The strings a container runs with: command, args, hooks, a script, env values (literal, or from
 * ConfigMap and Secret keys, one by one or through envFrom) and the files it mounts from ConfigMaps and
 * Secrets, where a miner keeps its pool and donate-level settings. Text from a Secret is judged but
 * never quoted in a message.
 */
function textEntries(site: ContainerSite, kfpComponent: boolean, inventory: Inventory): TextEntry[] {
  const container = site.container;
  const at = (relative: FieldPath): FieldPath => (kfpComponent ? site.path : [...site.path, ...relative]);
  const suffix = kfpComponent ? ' of the component spec' : '';
  const entries: TextEntry[] = [];
  const strings = (base: FieldPath, name: string): void => {
    asArray(base.reduce<unknown>((value, step) => asObject(value)?.[step as string], container)).forEach((value, index) => {
      if (typeof value === 'string') entries.push({ text: value, locate: () => ({ path: at([...base, index]), where: `${name}[${index}]${suffix}` }) });
    });
  };
  strings(['command'], 'command');
  strings(['args'], 'args');
  for (const hook of ['postStart', 'preStop']) strings(['lifecycle', hook, 'exec', 'command'], `lifecycle.${hook} command`);
  const source = asString(container['source']);
  if (source !== null && site.type === 'script') entries.push({ text: source, locate: () => ({ path: at(['source']), where: 'the script source' }) });

  const namespace = site.pod.namespace;
  const declared = containerSecretReferences(inventory);
  asArray(container['env']).forEach((entry, index) => {
    const env = asObject(entry);
    const name = asString(env?.['name']) ?? `#${index}`;
    const value = asString(env?.['value']);
    if (value !== null) {
      entries.push({ text: value, locate: () => ({ path: at(['env', index, 'value']), where: `env ${name}${suffix}` }) });
      return;
    }
    const from = asObject(env?.['valueFrom']);
    for (const kind of ['ConfigMap', 'Secret'] as const) {
      const ref = asObject(from?.[kind === 'ConfigMap' ? 'configMapKeyRef' : 'secretKeyRef']);
      const refName = asString(ref?.['name']);
      const key = asString(ref?.['key']);
      const stored = refName && key ? storedValue(inventory, kind, namespace, refName, key, declared) : null;
      if (stored) entries.push({ text: stored.value, secret: kind === 'Secret', source: stored, locate: () => ({ path: at(['env', index]), where: `env ${name} (${kind} ${namespace}/${refName} key ${key})` }) });
    }
  });
  asArray(container['envFrom']).forEach((entry, index) => {
    for (const kind of ['ConfigMap', 'Secret'] as const) {
      const refName = asString(asObject(asObject(entry)?.[kind === 'ConfigMap' ? 'configMapRef' : 'secretRef'])?.['name']);
      if (!refName) continue;
      for (const stored of allValues(inventory, kind, namespace, refName, declared)) {
        const key = String(stored.path[1]);
        entries.push({ text: stored.value, secret: kind === 'Secret', source: stored, locate: () => ({ path: at(['envFrom', index]), where: `envFrom ${kind} ${namespace}/${refName} key ${key}` }) });
      }
    }
  });
  if (!kfpComponent) entries.push(...mountedFiles(site, inventory, declared));
  return entries;
}

/** Every ConfigMap or Secret key a container mounts as a file, with the path it sees it at. */
function mountedFiles(site: ContainerSite, inventory: Inventory, declared: ReadonlyArray<{ namespace: string; name: string }>): TextEntry[] {
  const mounts = asArray(site.container['volumeMounts']);
  if (mounts.length === 0) return [];
  const volumes = volumesByName(site.pod);
  const out: TextEntry[] = [];
  mounts.forEach((entry, index) => {
    const mount = asObject(entry);
    const volume = volumes.get(asString(mount?.['name']) ?? '');
    const mountPath = asString(mount?.['mountPath'])?.replace(/\/+$/, '');
    if (!mount || !volume || !mountPath) return;
    const subPath = asString(mount['subPath']);
    for (const ref of volumeSources(volume)) {
      for (const stored of allValues(inventory, ref.kind, site.pod.namespace, ref.name, declared)) {
        const key = String(stored.path[1]);
        const file = ref.items.length > 0 ? ref.items.find((item) => item.key === key)?.path : key;
        if (file === undefined || (subPath && subPath !== file)) continue;
        const seenAt = subPath ? mountPath : `${mountPath}/${file}`;
        out.push({
          locate: () => ({ path: [...site.path, 'volumeMounts', index], where: `its mounted file ${seenAt} (${ref.kind} ${site.pod.namespace}/${ref.name} key ${key})` }),
          text: stored.value,
          file: true,
          secret: ref.kind === 'Secret',
          source: stored,
        });
      }
    }
  });
  return out;
}

// A pod template's volumes by name, for each of its containers' mounts: worked out once per template.
const volumeIndexes = new WeakMap<PodTemplateSite, ReadonlyMap<string, Record<string, unknown>>>();
function volumesByName(pod: PodTemplateSite): ReadonlyMap<string, Record<string, unknown>> {
  let volumes = volumeIndexes.get(pod);
  if (!volumes) {
    volumes = new Map(
      asArray(pod.spec['volumes'])
        .map(asObject)
        .filter((v): v is Record<string, unknown> => v !== null && typeof v['name'] === 'string')
        .map((v) => [v['name'] as string, v]),
    );
    volumeIndexes.set(pod, volumes);
  }
  return volumes;
}

function storedValue(inventory: Inventory, kind: 'ConfigMap' | 'Secret', namespace: string, name: string, key: string, declared: ReadonlyArray<{ namespace: string; name: string }>): StoredValue | null {
  if (kind === 'ConfigMap') {
    const configMap = inventory.get('ConfigMap', namespace, name);
    return configMap ? configMapEntry(configMap, key) : null;
  }
  const lookup = lookupSecret(inventory, namespace, name, declared);
  return lookup.state === 'found' ? secretEntry(lookup.secret, key) : null;
}

function allValues(inventory: Inventory, kind: 'ConfigMap' | 'Secret', namespace: string, name: string, declared: ReadonlyArray<{ namespace: string; name: string }>): StoredValue[] {
  if (kind === 'ConfigMap') {
    const configMap = inventory.get('ConfigMap', namespace, name);
    const keys = Object.keys(asObject(configMap?.obj['data']) ?? {}).sort();
    return configMap ? keys.flatMap((key) => configMapEntry(configMap, key) ?? []) : [];
  }
  const lookup = lookupSecret(inventory, namespace, name, declared);
  return lookup.state === 'found' ? secretEntries(lookup.secret).sort((a, b) => (String(a.path[1]) < String(b.path[1]) ? -1 : 1)) : [];
}

function isRuntimeSensor(site: ContainerSite): boolean {
  return sensorProduct(site.pod) !== null;
}

function joinList(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

export default check;
