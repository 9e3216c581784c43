// The Falco part of the remediation kit that the Falco checks share: kfscan's miner rules as a plain rules
// file and as Helm values (with tolerations for the tainted nodes), and what the checks' own fixes build on.
import { stringify } from 'yaml';
import { asArray, asObject, type JsonObject } from '../core/json.js';
import { unionOfKinds } from '../core/kinds.js';
import type { Finding, FieldPath, Inventory, KindName, KubeObject } from '../core/types.js';
import { clusterNodes, nodeSensors, WELL_KNOWN_GPU_TAINTS, type RuntimeSensor } from '../kube/falco.js';
import { ML_NAMESPACE_KINDS, mlNamespaces } from '../kube/ml-namespaces.js';
import { parseTolerations, toleratesAny, type Taint } from '../kube/scheduling.js';
import { resourceOf } from './common.js';
import { minerRulesFile, RULES_FILE_NAME } from './falco-rules-file.js';
import type { Fix, FixContext, KitContribution } from './types.js';
import { append } from '../core/arrays.js';

// The Falco chart's own tolerations: a values file that sets `tolerations` replaces them.
const CHART_TOLERATIONS = [
  { key: 'node-role.kubernetes.io/master', effect: 'NoSchedule' },
  { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' },
];

/** What the shared Falco documents read, beyond the sensors: the nodes' taints and the Kubeflow namespaces. */
export const FALCO_KIT_READS: readonly KindName[] = unionOfKinds(['Node'], ML_NAMESPACE_KINDS);

/** A fix without its findings yet, or why there is none. */
export type PartialFix = Omit<Fix, 'candidates'> | { reason: string };

/** kfscan's miner rules, with a rule for the Kubeflow namespaces of this inventory. */
export function falcoRulesText(inventory: Inventory): string {
  return minerRulesFile(mlNamespaces(inventory).map((ns) => ns.name));
}

/** The node sensor a finding is about. */
export function sensorOf(inventory: Inventory, finding: Finding): RuntimeSensor | undefined {
  // A finding located at a rules source (a ConfigMap) names its sensor among its related locations.
  const candidates = [finding.resource, ...(finding.related ?? []).map((related) => related.resource)].map((ref) => resourceOf(inventory, ref));
  const sensors = nodeSensors(inventory);
  for (const resource of candidates) {
    const sensor = sensors.find((s) => s.resource === resource);
    if (sensor) return sensor;
  }
  return undefined;
}

/**
 * The rules file and the Helm values, once for all Falco findings: for those who manage Falco with the
 * chart (or have to install it) and for other ways of deploying it.
 */
export const falcoKitDocuments: KitContribution = {
  area: 'falco',
  order: 99,
  generate(context) {
    if (context.own.length === 0) return { fixes: [], documents: [], manual: [] };
    const rulesText = falcoRulesText(context.inventory);
    return {
      fixes: [],
      manual: [],
      documents: [
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
          content: helmValues(rulesText, nodeSensors(context.inventory)[0], context),
          title: 'Helm values for the falcosecurity/falco chart',
          explanation: [
            'For Falco installed or managed with the Helm chart: the rules above as `customRules` and tolerations for the tainted nodes. A `helm upgrade` would undo the kit\'s DaemonSet patches, so chart users apply these values instead (`helm upgrade falco falcosecurity/falco -n <namespace> --reuse-values -f falco/values.yaml`). The file also shows, commented out, how to load the upstream sandbox rules through falcoctl instead.',
          ],
        },
      ],
    };
  },
};

export interface AddedToleration {
  key: string;
  operator: 'Equal' | 'Exists';
  value?: string;
  effect: string;
}

/** Tolerations for the taints that none of the current ones tolerates: by key with Exists, per effect. */
export function newTolerations(own: readonly JsonObject[], taints: readonly Taint[]): AddedToleration[] {
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
export function ownTolerations(sensor: RuntimeSensor): JsonObject[] {
  const raw = sensor.resource.ref.kind === 'Falco' ? asObject(asObject(asObject(sensor.resource.obj['spec'])?.['podTemplateSpec'])?.['spec'])?.['tolerations'] : sensor.podSpec['tolerations'];
  return asArray(raw).map(asObject).filter((t): t is JsonObject => t !== null);
}

function helmValues(rulesText: string, sensor: RuntimeSensor | undefined, { inventory }: FixContext): string {
  const own = sensor ? ownTolerations(sensor) : CHART_TOLERATIONS;
  const taints: Taint[] = [...WELL_KNOWN_GPU_TAINTS];
  for (const node of clusterNodes(inventory)) append(taints, node.taints.filter((t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute'));
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

export function helmHint(): string {
  return `With the Helm chart, apply falco/values.yaml (it adds the rules as customRules): \`helm upgrade <release> falcosecurity/falco -n <namespace> --reuse-values -f falco/values.yaml\`.`;
}

/** `{spec: {template: {spec: value}}}` for a path and a value. */
export function nested(head: Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'>, path: FieldPath, value: JsonObject): KubeObject {
  let inner: unknown = value;
  for (const segment of [...path].reverse()) inner = { [String(segment)]: inner };
  return { ...head, ...(inner as JsonObject) };
}
