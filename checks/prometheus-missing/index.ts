import { defineBuiltinCheck } from '../../src/catalogue/check-unit.js';
import type { Draft, Undecided } from '../../src/core/types.js';
import { MONITORING_KINDS, monitoringAnalysis } from '../../src/kube/monitoring/analysis.js';
import { unionOfKinds } from '../../src/core/kinds.js';
import { ABSENCE_ANCHOR_KINDS, absenceAnchor } from '../../src/kube/ml-platform.js';
import { describeResource as describe } from '../../src/core/object-ref.js';

const check = defineBuiltinCheck({
  meta: {
    id: 'prometheus-missing',
    title: 'No Prometheus collecting pod counts and container CPU',
    category: 'prometheus-missing',
    severity: 'high',
    description:
      'No Prometheus server runs (operator `Prometheus` CR, the `prom/prometheus` or `quay.io/prometheus/prometheus` image under any registry, or a managed collector), or none of them scrapes kube-state-metrics (`kube_pod_info`) or the kubelet cAdvisor endpoint (`container_cpu_usage_seconds_total`). A ServiceMonitor or PodMonitor counts only when a Prometheus selects it; a plain `prometheus.yml` job counts when its discovery and relabel rules keep the target.',
    rationale:
      'The 2021 campaign started tens of TensorFlow mining pods at once. Pod counts per namespace and container CPU are the two series that show such a burst; without them no alert can fire.',
    remediation:
      'Deploy Prometheus with kube-state-metrics and the kubelet cAdvisor scrape (kube-prometheus or the kube-prometheus-stack chart do both), and make sure the Prometheus serviceMonitorSelector/serviceMonitorNamespaceSelector select the kube-state-metrics and kubelet ServiceMonitors.',
    tags: ['MS-TA9039'],
    needs: unionOfKinds(MONITORING_KINDS, ABSENCE_ANCHOR_KINDS),
    absence: true,
  },
  *run(inventory) {
    const analysis = monitoringAnalysis(inventory);
    const scrapers = analysis.servers.filter((server) => server.scrapes);
    if (scrapers.length === 0) {
      const anchor = absenceAnchor(inventory);
      yield {
        resource: null,
        ...(anchor ? { anchor } : {}),
        message:
          'No Prometheus server runs in the cluster (no Prometheus CR, no prom/prometheus or quay.io/prometheus/prometheus container, no managed collector): nothing collects pod counts or container CPU',
      };
      return;
    }
    const anchor = scrapers[0]!;
    const anchorPath = anchor.kind === 'operator' ? ['spec', 'serviceMonitorSelector'] : anchor.container ? [...anchor.container.path, 'image'] : [];
    const ksm = analysis.kubeStateMetrics;
    if (ksm.sites.length === 0) {
      yield {
        resource: anchor.resource,
        path: anchorPath,
        key: 'kube-state-metrics',
        message: `${anchor.label} has no kube-state-metrics to scrape: no kube-state-metrics runs, so kube_pod_info (pods per namespace) is not collected`,
      };
    } else if (ksm.scraped.status === 'no') {
      const target = ksm.services[0] ?? ksm.sites[0]!.resource;
      const draft: Draft = {
        resource: target,
        path: ['metadata', 'name'],
        key: 'kube-state-metrics',
        message: `kube-state-metrics runs (${describe(ksm.sites[0]!.resource)}) but no Prometheus scrapes it: no ServiceMonitor or PodMonitor selected by a Prometheus matches it, and no scrape job keeps it, so kube_pod_info is not collected`,
      };
      yield draft;
    } else if (ksm.scraped.status === 'unknown') {
      yield undecided(`whether kube-state-metrics is scraped depends on configuration that is not in the input (${ksm.scraped.via ?? 'unknown'})`);
    }

    if (analysis.cadvisor.status === 'no') {
      yield {
        resource: anchor.resource,
        path: anchorPath,
        key: 'cadvisor',
        message: `No Prometheus scrapes the kubelet cAdvisor endpoint (${CADVISOR_PATH}), so container_cpu_usage_seconds_total is not collected`,
      };
    } else if (analysis.cadvisor.status === 'unknown') {
      yield undecided(`whether cAdvisor is scraped depends on configuration that is not in the input (${analysis.cadvisor.via ?? 'unknown'})`);
    }
  },
  attackPath: ['alerting'],
});

const CADVISOR_PATH = '/metrics/cadvisor';

function undecided(reason: string): Undecided {
  return { undecided: true, reason };
}

export default check;
