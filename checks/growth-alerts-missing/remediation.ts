import { stringify } from 'yaml';
import { asArray, asObject, asString } from '../../src/core/json.js';
import type { Finding, Inventory, Resource } from '../../src/core/types.js';
import { matchesLabelSelector } from '../../src/inventory/selectors.js';
import { describeResource } from '../../src/core/object-ref.js';
import { monitoringAnalysis } from '../../src/kube/monitoring/analysis.js';
import { describeSelector, namespaceSelected } from '../../src/kube/monitoring/selection.js';
import type { GrowthSignal } from '../../src/kube/promql/classify.js';
import { MANAGED_BY, slug } from '../../src/remediate/common.js';
import { emptyOutput, type GeneratorOutput, type KitContext, type KitContribution, type RemediationOptions } from '../../src/remediate/types.js';

const RULE_NAME = 'kfscan-growth-alerts';

export const remediation: readonly KitContribution[] = [{ area: 'alerts', order: 0, generate: (context) => alertFixes(context) }];

interface AlertRule {
  alert: string;
  expr: string;
  for: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/**
 * The 2021 write-up's growth alerts as a PrometheusRule that the cluster's Prometheus loads: its labels
 * satisfy the Prometheus `ruleSelector` and it sits in a namespace the `ruleNamespaceSelector` selects.
 * Only the alerts that are missing, and GPU utilisation only where GPUs are. Without a prometheus-operator
 * Prometheus that can select it, the rules come as a plain rules file with instructions.
 */
function alertFixes({ inventory, own, options }: KitContext): GeneratorOutput {
  const out = emptyOutput();
  const missing = [...own];
  if (missing.length === 0) return out;
  const signals = new Map<GrowthSignal, Finding>();
  for (const finding of missing) {
    const signal = signalOf(finding);
    if (signal && !signals.has(signal)) signals.set(signal, finding);
  }
  if (signals.size === 0) return out;
  const rules = alertRules([...signals.keys()], options);
  const group = { name: 'kfscan.namespace-growth', rules };

  out.documents.push({
    path: 'prometheus/kfscan-growth-rules.yaml',
    content: `# Prometheus rules file written by kfscan remediate (for rule_files of a Prometheus without the operator).\n${stringify({ groups: [group] }, { lineWidth: 0 })}`,
    title: 'Prometheus rules file with the same alerts',
    explanation: ['The alerts of the kit as a plain rules file, for a Prometheus configured without the operator: mount it and list it under `rule_files` in prometheus.yml. Check it with `promtool check rules prometheus/kfscan-growth-rules.yaml`.'],
  });

  const placement = placeRule(inventory);
  if ('reason' in placement) {
    out.manual.push({
      title: 'Add the growth alerts to your Prometheus',
      findings: [...signals.values()],
      text: [placement.reason, 'The alerts are in prometheus/kfscan-growth-rules.yaml: load them with `rule_files` (plain Prometheus) or as a PrometheusRule with the labels your Prometheus ruleSelector selects, then rescan.'],
    });
    return out;
  }
  const { evaluator, namespace, labels } = placement;
  const selector = asObject(evaluator.obj['spec'])?.['ruleSelector'];
  out.fixes.push({
    id: `prometheusrule-${slug(namespace)}`,
    area: 'alerts',
    title: `Growth alerts (${[...signals.keys()].map(signalText).join(', ')}) for ${describeResource(evaluator)}`,
    explanation: [
      `Adds PrometheusRule ${namespace}/${RULE_NAME}, labelled ${Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(', ')} so that ${describeResource(evaluator)} loads it (its ruleSelector selects ${describeSelector(selector)}; namespace ${namespace} is among those its ruleNamespaceSelector picks).`,
      ...rules.map((rule) => `${rule.alert}: \`${rule.expr}\` (${rule.annotations['summary']})`),
      'The thresholds come from --pod-growth-percent, --cpu-growth-percent and --gpu-util-percent. The growth alerts compare the last hour with the same hour a day before, so they start to work a day after Prometheus has the data; namespaces that did not exist then have no baseline and never fire. Route them in Alertmanager to someone on call.',
    ],
    manifests: [
      {
        path: `resources/prometheusrule-${slug(namespace)}-${RULE_NAME}.yaml`,
        role: 'resource',
        objects: [{ apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', metadata: { name: RULE_NAME, namespace, labels }, spec: { groups: [group] } }],
      },
    ],
    candidates: missing,
    addresses: [],
  });
  return out;
}

function signalOf(finding: Finding): GrowthSignal | null {
  if (finding.message.includes('pod-count growth')) return 'pods';
  if (finding.message.includes('CPU growth')) return 'cpu';
  if (finding.message.includes('GPU utilisation')) return 'gpu';
  return null;
}

function signalText(signal: GrowthSignal): string {
  return { pods: 'pod count', cpu: 'CPU', gpu: 'GPU utilisation' }[signal];
}

export function alertRules(signals: readonly GrowthSignal[], options: RemediationOptions): AlertRule[] {
  const rules: AlertRule[] = [];
  const pods = 'sum by (namespace) (kube_pod_info)';
  const cpu = 'sum by (namespace) (rate(container_cpu_usage_seconds_total{container!=""}[5m]))';
  if (signals.includes('pods')) {
    rules.push({
      alert: 'KfscanNamespacePodCountGrowth',
      expr: `100 * avg_over_time(${pods}[1h:1h]) / avg_over_time(${pods}[1h:1h] offset 1d) > ${options.podGrowthPercent}`,
      for: '15m',
      labels: { severity: 'warning' },
      annotations: {
        summary: `Pods in a namespace grew above ${options.podGrowthPercent}% of the same hour yesterday`,
        description: 'Namespace {{ $labels.namespace }} runs {{ $value | humanize }}% of the pods it ran a day ago. A burst of new pods in a Kubeflow namespace is how the 2021 cryptomining campaign looked: check who started them and what they run.',
      },
    });
  }
  if (signals.includes('cpu')) {
    rules.push({
      alert: 'KfscanNamespaceCpuGrowth',
      expr: `100 * avg_over_time(${cpu}[1h:5m]) / avg_over_time(${cpu}[1h:5m] offset 1d) > ${options.cpuGrowthPercent}`,
      for: '15m',
      labels: { severity: 'warning' },
      annotations: {
        summary: `CPU use of a namespace grew above ${options.cpuGrowthPercent}% of the same hour yesterday`,
        description: 'Namespace {{ $labels.namespace }} uses {{ $value | humanize }}% of the CPU it used a day ago. Miners take all the CPU they get: check the pods that grew.',
      },
    });
  }
  if (signals.includes('gpu')) {
    rules.push({
      alert: 'KfscanGpuUtilisationHigh',
      // honorLabels decides whether the DCGM exporter's pod labels arrive as namespace/pod or exported_*.
      expr: `avg by (namespace, pod, exported_namespace, exported_pod) (avg_over_time(DCGM_FI_DEV_GPU_UTIL[10m])) > ${options.gpuUtilPercent}`,
      for: '30m',
      labels: { severity: 'warning' },
      annotations: {
        summary: `A pod keeps a GPU above ${options.gpuUtilPercent}% utilisation`,
        description: 'Pod {{ $labels.exported_namespace }}{{ $labels.namespace }}/{{ $labels.exported_pod }}{{ $labels.pod }} has kept its GPU above the threshold for 30 minutes. Ethminer did this in 2021: check that it is a training job someone started.',
      },
    });
  }
  return rules;
}

type Placement = { evaluator: Resource; namespace: string; labels: Record<string, string> } | { reason: string };

/** A namespace and labels that a Prometheus (or ThanosRuler) CR loads PrometheusRules from. */
function placeRule(inventory: Inventory): Placement {
  const evaluators = [...inventory.ofKind('monitoring.coreos.com/Prometheus'), ...inventory.ofKind('monitoring.coreos.com/ThanosRuler')];
  if (evaluators.length === 0) {
    const plain = monitoringAnalysis(inventory).servers.find((server) => server.evaluatesRules);
    return {
      reason: plain
        ? `${plain.label} is not run by prometheus-operator, so a PrometheusRule would not reach it.`
        : 'No Prometheus evaluates alert rules in this cluster: install one first (kube-prometheus or the kube-prometheus-stack chart bring kube-state-metrics and the cAdvisor scrape too).',
    };
  }
  const reasons: string[] = [];
  for (const evaluator of evaluators) {
    const spec = asObject(evaluator.obj['spec']) ?? {};
    const labels = labelsSatisfying(spec['ruleSelector']);
    if (!labels) {
      reasons.push(`${describeResource(evaluator)} has ruleSelector ${describeSelector(spec['ruleSelector'])}, which no labels satisfy`);
      continue;
    }
    const namespace = namespaceFor(spec['ruleNamespaceSelector'], evaluator, inventory);
    if (!namespace) {
      reasons.push(`no namespace in the input is known to match the ruleNamespaceSelector of ${describeResource(evaluator)} (${describeSelector(spec['ruleNamespaceSelector'])})`);
      continue;
    }
    return { evaluator, namespace, labels };
  }
  return { reason: `kfscan could not place a PrometheusRule where a Prometheus loads it: ${reasons.join('; ')}. Set a ruleSelector (\`{}\` loads every rule) or label a namespace to match.` };
}

/** Labels that a label selector matches, or `null` for a nil selector (prometheus-operator: selects nothing) or one nothing satisfies. */
export function labelsSatisfying(selector: unknown): Record<string, string> | null {
  if (selector === undefined || selector === null) return null;
  const object = asObject(selector);
  if (!object) return null;
  const labels: Record<string, string> = { ...MANAGED_BY };
  for (const [key, value] of Object.entries(asObject(object['matchLabels']) ?? {})) labels[key] = String(value);
  for (const entry of asArray(object['matchExpressions'])) {
    const requirement = asObject(entry);
    const key = asString(requirement?.['key']);
    if (!requirement || !key) return null;
    const values = asArray(requirement['values']).map(String);
    switch (requirement['operator']) {
      case 'In':
        if (!(key in labels) && values[0] !== undefined) labels[key] = values[0];
        break;
      case 'Exists':
        if (!(key in labels)) labels[key] = 'true';
        break;
      case 'NotIn':
      case 'DoesNotExist':
        if (key in MANAGED_BY && !(key in asObject(object['matchLabels'] ?? {})!)) delete labels[key];
        break;
      default:
        return null;
    }
  }
  return matchesLabelSelector(object, labels) ? labels : null;
}

function namespaceFor(selector: unknown, evaluator: Resource, inventory: Inventory): string | null {
  const own = evaluator.ref.namespace ?? 'default';
  if (selector === undefined || selector === null) return own;
  const candidates = [own, ...inventory.ofKind('Namespace').map((ns) => ns.ref.name).sort()];
  return candidates.find((ns) => namespaceSelected(selector, ns, own, inventory) === 'yes') ?? null;
}
