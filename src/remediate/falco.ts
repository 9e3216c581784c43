import { stringify } from 'yaml';
import { asArray, asObject, type JsonObject } from '../core/json.js';
import type { Finding, FieldPath, KubeObject } from '../core/types.js';
import { clusterNodes, falcoRules, nodeSensors, nodesWithoutSensor, sensorLabel, WELL_KNOWN_GPU_TAINTS, type RuntimeSensor } from '../kube/falco.js';
import { mlNamespaces } from '../kube/ml-namespaces.js';
import { containerFiles } from '../kube/pod-files.js';
import { daemonSetTolerations, parseTolerations, toleratesAny, type Taint } from '../kube/scheduling.js';
import { findingsOf, MANAGED_BY, patchHead, refText, resourceOf, slug } from './common.js';
import { minerRulesFile, RULES_FILE_NAME } from './falco-miner-rules.js';
import { emptyOutput, type Fix, type FixContext, type GeneratorOutput } from './types.js';

const RULES_CONFIGMAP = 'kfscan-falco-miner-rules';
const RULES_VOLUME = 'kfscan-miner-rules';
// The Falco chart's own tolerations: a values file that sets `tolerations` replaces them.
const CHART_TOLERATIONS = [
  { key: 'node-role.kubernetes.io/master', effect: 'NoSchedule' },
  { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' },
];
const PROJECTABLE = ['configMap', 'secret', 'downwardAPI', 'serviceAccountToken', 'clusterTrustBundle'];

/**
 * Falco: kfscan's miner rules in a ConfigMap mounted where the Falco DaemonSet loads rules from, and
 * tolerations for the tainted nodes it does not run on; plus a rules file and Helm values for those who
 * manage Falco with the chart (or have to install it).
 */
export function falcoFixes(context: FixContext): GeneratorOutput {
  const { inventory, findings } = context;
  const out = emptyOutput();
  const falcoFindings = findingsOf(findings, 'falco-missing', 'falco-miner-rules', 'falco-node-coverage');
  if (falcoFindings.length === 0) return out;
  const rulesText = minerRulesFile(mlNamespaces(inventory).map((ns) => ns.name));
  const sensors = nodeSensors(inventory);
  const sensorOf = (finding: Finding): RuntimeSensor | undefined => {
    const resource = resourceOf(inventory, finding.resource);
    return sensors.find((sensor) => sensor.resource === resource);
  };

  for (const finding of findingsOf(findings, 'falco-miner-rules')) {
    const sensor = sensorOf(finding);
    const fix = sensor ? rulesFix(sensor, rulesText, context) : { reason: 'kfscan could not find the Falco this finding is about.' };
    if ('reason' in fix) out.manual.push({ title: `Load kfscan's miner rules into ${finding.resource ? refText(finding.resource) : 'Falco'}`, findings: [finding], text: [fix.reason, helmHint()] });
    else out.fixes.push({ ...fix, candidates: [finding] });
  }

  const coverage = new Map<RuntimeSensor, Finding[]>();
  for (const finding of findingsOf(findings, 'falco-node-coverage')) {
    const sensor = sensorOf(finding);
    if (sensor) coverage.set(sensor, [...(coverage.get(sensor) ?? []), finding]);
    else out.manual.push({ title: 'Nodes without a runtime sensor', findings: [finding], text: ['kfscan could not find the sensor this finding is about.'] });
  }
  for (const [sensor, addressed] of coverage) {
    const fix = tolerationsFix(sensor, context);
    if ('reason' in fix) out.manual.push({ title: `Let ${sensorLabel(sensor)} run on every node`, findings: addressed, text: [fix.reason] });
    else out.fixes.push({ ...fix, candidates: addressed });
  }

  const missing = findingsOf(findings, 'falco-missing');
  if (missing.length > 0) {
    out.manual.push({
      title: 'Install Falco',
      findings: missing,
      text: [
        'No runtime sensor watches the nodes. Install Falco as a DaemonSet with the values kfscan wrote (its miner rules, and tolerations for the node taints it saw):',
        '```sh\nhelm repo add falcosecurity https://falcosecurity.github.io/charts\nhelm upgrade --install falco falcosecurity/falco -n falco --create-namespace -f falco/values.yaml\n```',
        'Then send its alerts where someone reads them (Falcosidekick to Slack, your SIEM or Alertmanager) and rescan.',
      ],
    });
  }

  out.documents.push(
    {
      path: `falco/${RULES_FILE_NAME}`,
      content: rulesText,
      title: 'Falco rules file: kfscan\'s crypto-miner rules',
      explanation: [
        'The rules the kit loads, as a plain Falco rules file for other ways of deploying Falco (`-r`, `rules_files`, a rules.d directory). Stratum URLs in command lines, processes named like known miners, connections to known pool hosts (Falco resolves the listed host names by DNS to match them), and connections from Kubeflow namespaces to ports only mining pools use.',
        'No Falco binary runs where kfscan is tested: check the file with `falco -V falco/' + RULES_FILE_NAME + '` (validate only) on a machine with Falco before loading it.',
      ],
    },
    {
      path: 'falco/values.yaml',
      content: helmValues(rulesText, sensors[0], context),
      title: 'Helm values for the falcosecurity/falco chart',
      explanation: [
        'For Falco installed or managed with the Helm chart: the rules above as `customRules` and tolerations for the tainted nodes. A `helm upgrade` would undo the kit\'s DaemonSet patches, so chart users apply these values instead (`helm upgrade falco falcosecurity/falco -n <namespace> --reuse-values -f falco/values.yaml`). The file also shows, commented out, how to load the upstream sandbox rules through falcoctl instead.',
      ],
    },
  );
  return out;
}

type PartialFix = Omit<Fix, 'candidates'> | { reason: string };

function rulesFix(sensor: RuntimeSensor, rulesText: string, { inventory }: FixContext): PartialFix {
  if (sensor.resource.ref.kind !== 'DaemonSet' || !sensor.pod || !sensor.container || sensor.operatorNamespace !== null) {
    return { reason: `${sensorLabel(sensor)} is run by the Falco operator: add the rules as a Rulesfile with inline rules (falco/${RULES_FILE_NAME}).` };
  }
  const directory = falcoRules(inventory, sensor).sources.directories[0];
  if (!directory) {
    return { reason: `${sensorLabel(sensor)} loads no rules directory, so a new rules file needs a change to its rules_files; add falco/${RULES_FILE_NAME} to them.` };
  }
  const namespace = sensor.resource.ref.namespace ?? 'default';
  const podSpec = sensor.pod.spec as JsonObject;
  const mount = containerFiles(sensor.container, inventory).volumeAt(directory);
  const volume = mount ? asArray(podSpec['volumes']).map(asObject).find((v) => v?.['name'] === mount.volumeName) ?? null : null;
  const projectable = volume !== null && (asObject(volume['projected']) !== null || PROJECTABLE.some((kind) => asObject(volume[kind]) !== null));
  const file = `${directory.replace(/\/+$/, '')}/${RULES_FILE_NAME}`;

  let podPatch: JsonObject;
  let how: string;
  if (mount && volume && projectable) {
    // A ConfigMap or Secret volume is read-only: nothing can be mounted inside it, so the rules join it
    // as one more source of a projected volume, at the path below the mount.
    const below = directory === mount.mountPath ? '' : `${directory.slice(mount.mountPath.length + 1)}/`;
    const projected = asObject(volume['projected']);
    const sources = projected ? asArray(projected['sources']) : PROJECTABLE.filter((kind) => asObject(volume[kind])).map((kind) => ({ [kind]: withoutDefaultMode(asObject(volume[kind])!) }));
    const defaultMode = projected?.['defaultMode'] ?? PROJECTABLE.map((kind) => asObject(volume[kind])?.['defaultMode']).find((mode) => mode !== undefined);
    const replaced: JsonObject = { name: mount.volumeName };
    for (const kind of PROJECTABLE) if (volume[kind] !== undefined) replaced[kind] = null;
    replaced['projected'] = {
      ...(defaultMode !== undefined ? { defaultMode } : {}),
      sources: [...sources, { configMap: { name: RULES_CONFIGMAP, items: [{ key: RULES_FILE_NAME, path: `${below}${RULES_FILE_NAME}` }] } }],
    };
    podPatch = { volumes: [replaced] };
    how = `Volume ${mount.volumeName}, mounted at ${mount.mountPath}, becomes a projected volume that adds the ConfigMap's file as ${file} (a ConfigMap volume is read-only, so nothing can be mounted inside it).`;
  } else {
    podPatch = {
      containers: [{ name: sensor.container.name, volumeMounts: [{ name: RULES_VOLUME, mountPath: file, subPath: RULES_FILE_NAME, readOnly: true }] }],
      volumes: [{ name: RULES_VOLUME, configMap: { name: RULES_CONFIGMAP } }],
    };
    how = `The Falco container mounts the ConfigMap's file at ${file}.`;
  }
  const slugName = slug(namespace, sensor.resource.ref.name);
  return {
    id: `falco-rules-${slugName}`,
    area: 'falco',
    title: `Load kfscan's crypto-miner rules into ${sensorLabel(sensor)}`,
    explanation: [
      `Adds ConfigMap ${namespace}/${RULES_CONFIGMAP} with the rules file ${RULES_FILE_NAME} and patches ${refText(sensor.resource.ref)} so that Falco loads it from ${directory}, a directory in its rules_files. ${how}`,
      `The file defines "Detect crypto miners using the Stratum protocol", "Known Cryptominer Process Executed" and "Detect outbound connections to common miner pool ports" (enabled: Falco resolves the listed pool host names by DNS to match connections to them), and a rule for connections from the Kubeflow namespaces to ports only mining pools use. It is self-contained, so it loads next to any version of the upstream rules.`,
      'The patch changes the pod template: the DaemonSet rolls its pods. Check the Falco logs for "Loading rules from file ' + file + '" afterwards. If Falco is managed with Helm, apply falco/values.yaml with `helm upgrade` instead: the next upgrade would undo this patch.',
    ],
    manifests: [
      {
        path: `resources/configmap-${slugName}-miner-rules.yaml`,
        role: 'resource',
        objects: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: RULES_CONFIGMAP, namespace, labels: { ...MANAGED_BY } }, data: { [RULES_FILE_NAME]: rulesText } }],
      },
      { path: `patches/daemonset-${slugName}-miner-rules.yaml`, role: 'patch', objects: [nested(patchHead(sensor.resource), sensor.podSpecPath, podPatch)], target: sensor.resource.ref },
    ],
    addresses: [],
  };
}

function tolerationsFix(sensor: RuntimeSensor, { inventory }: FixContext): PartialFix {
  const own = ownTolerations(sensor);
  const nodes = clusterNodes(inventory);
  const wanted: Taint[] = [];
  if (nodes.length === 0) wanted.push(...WELL_KNOWN_GPU_TAINTS);
  else {
    const tolerations = daemonSetTolerations(sensor.podSpec);
    for (const { node, exclusion } of nodesWithoutSensor(inventory)) {
      if (exclusion.kind !== 'taint') continue;
      for (const taint of node.taints) {
        if ((taint.effect === 'NoSchedule' || taint.effect === 'NoExecute') && !toleratesAny(tolerations, taint)) wanted.push(taint);
      }
    }
  }
  const added = newTolerations(own, wanted);
  if (added.length === 0) {
    return { reason: `The nodes ${sensorLabel(sensor)} misses are left out by a nodeSelector or node affinity, or it has no ready pod there: remove the selector or affinity that excludes them, or find out why its pods are not ready (\`kubectl get pods -n ${sensor.resource.ref.namespace ?? 'default'} -o wide\`).` };
  }
  const path: FieldPath = sensor.resource.ref.kind === 'Falco' ? ['spec', 'podTemplateSpec', 'spec'] : sensor.podSpecPath;
  const slugName = slug(sensor.resource.ref.namespace, sensor.resource.ref.name);
  const taints = [...new Set(added.map((t) => `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`))];
  return {
    id: `falco-tolerations-${slugName}`,
    area: 'falco',
    title: `Let ${sensorLabel(sensor)} run on the tainted nodes (${taints.join(', ')})`,
    explanation: [
      `Gives ${refText(sensor.resource.ref)} tolerations for ${taints.join(', ')}${nodes.length === 0 ? ' (the usual GPU node taints: the input has no Node objects, so kfscan predicts them)' : ' (taints of the nodes it does not run on)'}, keeping the ones it has. Tolerations have no merge key, so the patch carries the whole list.`,
      'A sensor must run on every node, GPU nodes above all, where the 2021 miners ran. Check `kubectl get ds -n ' + (sensor.resource.ref.namespace ?? 'default') + '` afterwards: DESIRED and READY should equal the number of nodes. With Helm, set the same list as `tolerations` in the values (falco/values.yaml has it).',
    ],
    manifests: [
      {
        path: `patches/${sensor.resource.ref.kind.toLowerCase()}-${slugName}-tolerations.yaml`,
        role: 'patch',
        objects: [nested(patchHead(sensor.resource), path, { tolerations: [...own, ...added] })],
        target: sensor.resource.ref,
      },
    ],
    addresses: [],
  };
}

/** Tolerations for the taints that none of the current ones tolerates: by key with Exists, per effect. */
interface AddedToleration {
  key: string;
  operator: 'Equal' | 'Exists';
  value?: string;
  effect: string;
}

function newTolerations(own: readonly JsonObject[], taints: readonly Taint[]): AddedToleration[] {
  const current = parseTolerations(own);
  const added: AddedToleration[] = [];
  for (const taint of taints) {
    const toleration: AddedToleration = taint.key === 'sku' ? { key: taint.key, operator: 'Equal', value: taint.value, effect: taint.effect } : { key: taint.key, operator: 'Exists', effect: taint.effect };
    if (toleratesAny([...current, ...parseTolerations(added)], taint)) continue;
    added.push(toleration);
  }
  return added;
}

/** The tolerations written in the object (the operator adds its defaults to a Falco CR's itself). */
function ownTolerations(sensor: RuntimeSensor): JsonObject[] {
  const raw = sensor.resource.ref.kind === 'Falco' ? asObject(asObject(asObject(sensor.resource.obj['spec'])?.['podTemplateSpec'])?.['spec'])?.['tolerations'] : sensor.podSpec['tolerations'];
  return asArray(raw).map(asObject).filter((t): t is JsonObject => t !== null);
}

function helmValues(rulesText: string, sensor: RuntimeSensor | undefined, { inventory }: FixContext): string {
  const own = sensor ? ownTolerations(sensor) : CHART_TOLERATIONS;
  const taints: Taint[] = [...WELL_KNOWN_GPU_TAINTS];
  for (const node of clusterNodes(inventory)) taints.push(...node.taints.filter((t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute'));
  const tolerations = [...own, ...newTolerations(own, taints)];
  const values = { tolerations, customRules: { [RULES_FILE_NAME]: rulesText } };
  return [
    '# Helm values for the falcosecurity/falco chart, written by kfscan remediate.',
    '#   helm upgrade --install falco falcosecurity/falco -n falco --create-namespace -f values.yaml',
    '# (add --reuse-values when upgrading an existing release). `tolerations` replaces the chart default,',
    '# so the list keeps the control-plane tolerations and adds those for tainted and GPU nodes.',
    stringify(values, { lineWidth: 0 }).trimEnd(),
    '',
    '# Alternatively, or as well, load the upstream sandbox rules (which hold the original miner rules)',
    '# through falcoctl, and enable the pool-connection rule they ship disabled:',
    '# falcoctl:',
    '#   config:',
    '#     artifact:',
    '#       install:',
    '#         refs: [falco-rules:5, falco-sandbox-rules:5]',
    '#       follow:',
    '#         refs: [falco-rules:5, falco-sandbox-rules:5]',
    '# falco:',
    '#   rules_files:',
    '#     - /etc/falco/falco_rules.yaml',
    '#     - /etc/falco/falco-sandbox_rules.yaml',
    '#     - /etc/falco/falco_rules.local.yaml',
    '#     - /etc/falco/rules.d',
    '#   rules:',
    '#     - enable:',
    '#         rule: Detect outbound connections to common miner pool ports',
    '',
  ].join('\n');
}

function helmHint(): string {
  return `With the Helm chart, apply falco/values.yaml (it adds the rules as customRules): \`helm upgrade <release> falcosecurity/falco -n <namespace> --reuse-values -f falco/values.yaml\`.`;
}

function withoutDefaultMode(source: JsonObject): JsonObject {
  const { defaultMode: _ignored, ...rest } = source;
  return rest;
}

/** `{spec: {template: {spec: value}}}` for a path and a value. */
function nested(head: Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'>, path: FieldPath, value: JsonObject): KubeObject {
  let inner: unknown = value;
  for (const segment of [...path].reverse()) inner = { [String(segment)]: inner };
  return { ...head, ...(inner as JsonObject) };
}

