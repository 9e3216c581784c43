import { defineBuiltinCheck } from '../../src/catalogue/check-unit.js';
import { remediation } from './remediation.js';
import type { Draft, FieldPath, Inventory, Undecided } from '../../src/core/types.js';
import { describeGpuEvidence, gpuEvidence, isGpuCluster } from '../../src/kube/gpu-cluster.js';
import { MONITORING_KINDS, monitoringAnalysis, type ClassifiedAlert, type MonitoringAnalysis } from '../../src/kube/monitoring/analysis.js';
import { unionOfKinds } from '../../src/core/kinds.js';
import { ABSENCE_ANCHOR_KINDS, absenceAnchor } from '../../src/kube/ml-platform.js';
import type { GrowthSignal } from '../../src/kube/promql/classify.js';

const WHAT: Record<GrowthSignal, string> = {
  pods: 'per-namespace pod-count growth (kube_pod_info) against a baseline',
  cpu: 'per-namespace CPU growth (container_cpu_usage_seconds_total) against a baseline',
  gpu: 'GPU utilisation (DCGM_FI_DEV_GPU_UTIL) per namespace or pod',
};

const check = defineBuiltinCheck({
  meta: {
    id: 'growth-alerts-missing',
    title: 'No alert on per-namespace pod, CPU or GPU growth',
    category: 'alerting-gap',
    severity: 'medium',
    description:
      'No loaded alerting rule compares per-namespace pod counts (`kube_pod_info`, `kube_pod_status_phase`, `kube_pod_owner`, `kube_pod_created`) or per-namespace container CPU (`container_cpu_usage_seconds_total` and its kube-prometheus recording rules) with a baseline: an offset of an hour or more, a long window, delta/deriv/increase/predict_linear, or a ratio to another series. On clusters with GPUs, no alert on DCGM GPU utilisation. PromQL is parsed and recording rules are expanded; static thresholds do not count, and a PrometheusRule that no Prometheus ruleSelector picks up does not count.',
    rationale:
      'The 2021 attackers started tens of mining pods in one namespace, each using all the CPU or GPU it could get. A growth alert per namespace fires within the hour; fixed thresholds tuned for normal load, or rules that Prometheus never loads, stay silent.',
    remediation:
      'Add a PrometheusRule that your Prometheus ruleSelector selects (check its labels, e.g. `release: <helm release>`) with growth alerts such as `100 * avg_over_time(sum by (namespace) (kube_pod_info)[1h:1h]) / avg_over_time(sum by (namespace) (kube_pod_info)[1h:1h] offset 1d) > 125`, the same over `rate(container_cpu_usage_seconds_total{container!=""}[5m])` with `> 150`, and on GPU clusters `avg by (namespace, pod) (avg_over_time(DCGM_FI_DEV_GPU_UTIL[10m])) > 90`.',
    tags: ['MS-TA9039'],
    needs: unionOfKinds(MONITORING_KINDS, ABSENCE_ANCHOR_KINDS),
    absence: true,
  },
  *run(inventory) {
    const analysis = monitoringAnalysis(inventory);
    const signals: GrowthSignal[] = isGpuCluster(inventory) ? ['pods', 'cpu', 'gpu'] : ['pods', 'cpu'];
    for (const signal of signals) {
      const result = judge(signal, analysis, inventory);
      if (result) yield result;
    }
  },
  attackPath: ['alerting'],
  remediation,
});

function judge(signal: GrowthSignal, analysis: MonitoringAnalysis, inventory: Inventory): Draft | Undecided | null {
  const covering = analysis.alerts.filter((alert) => alert.classification.covers.includes(signal));
  if (covering.some((alert) => alert.rule.loaded === 'yes')) return null;
  const maybe = covering.find((alert) => alert.rule.loaded === 'unknown');
  if (maybe) return { undecided: true, reason: `alert ${maybe.rule.name} on ${WHAT[signal]} may not be loaded: ${maybe.rule.whyNotLoaded ?? 'unknown'}` };
  if (analysis.hiddenRules.length > 0) {
    return { undecided: true, reason: `no alert on ${WHAT[signal]} among the rules kfscan can read, and ${analysis.hiddenRules[0]}` };
  }
  const gpuNote = signal === 'gpu' ? gpuContext(analysis, inventory) : '';

  const unloaded = covering.find((alert) => alert.rule.loaded === 'no');
  if (unloaded) {
    return {
      resource: unloaded.rule.resource,
      path: unloaded.rule.path,
      key: signal,
      message: `No loaded alert on ${WHAT[signal]}${gpuNote}: the rule exists but is not loaded (alert ${unloaded.rule.name} in ${unloaded.rule.source}: ${unloaded.rule.whyNotLoaded ?? 'not loaded'})`,
    };
  }

  const evaluator = analysis.servers.find((server) => server.evaluatesRules);
  const path: FieldPath = evaluator?.kind === 'operator' ? ['spec', 'ruleSelector'] : evaluator?.container ? [...evaluator.container.path] : [];
  const why = evaluator ? weakerAlerts(signal, analysis.alerts) : ': no Prometheus evaluates alert rules';
  const anchor = evaluator ? null : absenceAnchor(inventory);
  return {
    resource: evaluator?.resource ?? null,
    path,
    key: signal,
    message: `No loaded alert on ${WHAT[signal]}${gpuNote}${why}`,
    ...(anchor ? { anchor } : {}),
  };
}

/** Loaded alerts on the same metric that fall short: name one so the reader sees why it does not count. */
function weakerAlerts(signal: GrowthSignal, alerts: readonly ClassifiedAlert[]): string {
  const near = alerts.find((alert) => alert.rule.loaded === 'yes' && alert.classification.signals[signal]);
  if (!near) return '';
  const verdict = near.classification.signals[signal]!;
  const values = verdict.level === 'namespace' ? 'per-namespace values' : verdict.level === 'pod' ? 'per-pod values' : 'values not split by namespace';
  return `: ${near.rule.name} in ${near.rule.source} compares ${values} with ${verdict.baseline ? 'a baseline' : 'a fixed threshold'}`;
}

function gpuContext(analysis: MonitoringAnalysis, inventory: Inventory): string {
  const exporter = analysis.dcgmExporter;
  const scraped = exporter.sites.length === 0 ? '; no DCGM exporter runs' : exporter.scraped.status === 'no' ? '; the DCGM exporter is not scraped' : '';
  return `, on a cluster with GPUs (${describeGpuEvidence(gpuEvidence(inventory))}${scraped})`;
}

export default check;
