import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import growthAlertsMissing from '../checks/growth-alerts-missing/index.js';
import prometheusMissing from '../checks/prometheus-missing/index.js';
import type { KubeObject } from '../src/core/types.js';
import { runChecks } from '../src/engine/run.js';
import { buildInventory, type InventoryOptions } from '../src/inventory/inventory.js';
import { createResource } from '../src/inventory/resource.js';
import { monitoringAnalysis } from '../src/kube/monitoring/analysis.js';
import { relabel, readRelabelRules } from '../src/kube/monitoring/relabel.js';

function inventory(text: string, options: Partial<InventoryOptions> = {}) {
  const resources = parseAllDocuments(text).map((doc) => createResource({ obj: doc.toJS() as KubeObject, origin: { type: 'cluster', context: 'test' } }));
  return buildInventory(resources, { mode: 'manifests', wholeCluster: true, ...options });
}

const KSM = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: kube-state-metrics, namespace: monitoring}
spec:
  template:
    metadata: {labels: {app.kubernetes.io/name: kube-state-metrics}}
    spec:
      containers: [{name: ksm, image: registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.13.0}]
---
apiVersion: v1
kind: Service
metadata: {name: kube-state-metrics, namespace: monitoring, labels: {app.kubernetes.io/name: kube-state-metrics}}
spec:
  selector: {app.kubernetes.io/name: kube-state-metrics}
  ports: [{name: http, port: 8080}]
`;

describe('monitoring analysis', () => {
  it('reads ServiceMonitors through a namespace selector on Namespace labels, and is unsure when the Namespace is not in a partial input', () => {
    const text = `${KSM}
---
apiVersion: monitoring.coreos.com/v1
kind: Prometheus
metadata: {name: k8s, namespace: prom}
spec:
  serviceMonitorSelector: {}
  serviceMonitorNamespaceSelector: {matchLabels: {monitored: "yes"}}
---
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata: {name: ksm, namespace: monitoring}
spec:
  selector: {matchLabels: {app.kubernetes.io/name: kube-state-metrics}}
  endpoints: [{port: http}]
`;
    expect(monitoringAnalysis(inventory(text, { wholeCluster: false })).kubeStateMetrics.scraped.status).toBe('unknown');
    expect(monitoringAnalysis(inventory(text)).kubeStateMetrics.scraped.status).toBe('no');
    const labelled = `${text}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: monitoring, labels: {monitored: "yes"}}\n`;
    expect(monitoringAnalysis(inventory(labelled)).kubeStateMetrics.scraped).toEqual({
      status: 'yes',
      via: 'ServiceMonitor monitoring/ksm selected by Prometheus prom/k8s',
    });
  });

  it('counts a PodMonitor whose selector matches the kube-state-metrics pods', () => {
    const text = `${KSM}
---
apiVersion: monitoring.coreos.com/v1
kind: Prometheus
metadata: {name: k8s, namespace: monitoring}
spec: {podMonitorSelector: {}}
---
apiVersion: monitoring.coreos.com/v1
kind: PodMonitor
metadata: {name: ksm, namespace: monitoring}
spec:
  selector: {matchLabels: {app.kubernetes.io/name: kube-state-metrics}}
  podMetricsEndpoints: [{port: http}]
`;
    expect(monitoringAnalysis(inventory(text)).kubeStateMetrics.scraped.status).toBe('yes');
  });

  it('leaves a Prometheus whose scrape configuration is unmanaged undecided, not passed', () => {
    const text = `${KSM}
---
apiVersion: monitoring.coreos.com/v1
kind: Prometheus
metadata: {name: k8s, namespace: monitoring}
spec:
  additionalScrapeConfigs: {name: extra, key: jobs.yaml}
`;
    const inv = inventory(text);
    const run = runChecks(inv, [prometheusMissing]);
    expect(run.findings).toEqual([]);
    expect(run.undecided.map((u) => u.reason)).toEqual([
      'whether kube-state-metrics is scraped depends on configuration that is not in the input (Prometheus monitoring/k8s (scrape jobs from a Secret))',
      'whether cAdvisor is scraped depends on configuration that is not in the input (Prometheus monitoring/k8s (scrape jobs from a Secret))',
    ]);
  });

  it('makes absence checks undecided when a kind they need is forbidden', () => {
    const inv = inventory('apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n', { mode: 'cluster', forbidden: new Map([['monitoring.coreos.com/PrometheusRule', 'forbidden by RBAC']]) });
    const run = runChecks(inv, [growthAlertsMissing]);
    expect(run.findings).toEqual([]);
    expect(run.undecided[0]?.reason).toContain('monitoring.coreos.com/PrometheusRule');
  });

  it('treats Azure managed Prometheus as scraping, with rules outside the cluster', () => {
    const text = `${KSM}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: ama-metrics-node, namespace: kube-system}
spec:
  template:
    spec:
      containers: [{name: prometheus-collector, image: mcr.microsoft.com/azuremonitor/containerinsights/ciprod/prometheus-collector/images:6.7.0-main}]
`;
    const inv = inventory(text);
    expect(runChecks(inv, [prometheusMissing]).findings).toEqual([]);
    const growth = runChecks(inv, [growthAlertsMissing]);
    expect(growth.findings).toEqual([]);
    expect(growth.undecided[0]?.reason).toContain('Azure Monitor managed Prometheus keeps its rule groups in Azure');
  });

  it('counts GKE managed Prometheus Rules and PodMonitoring', () => {
    const text = `${KSM}
---
apiVersion: monitoring.googleapis.com/v1
kind: PodMonitoring
metadata: {name: ksm, namespace: monitoring}
spec:
  selector: {matchLabels: {app.kubernetes.io/name: kube-state-metrics}}
  endpoints: [{port: http}]
---
apiVersion: monitoring.googleapis.com/v1
kind: OperatorConfig
metadata: {name: config, namespace: gmp-public}
collection:
  kubeletScraping: {interval: 30s}
---
apiVersion: monitoring.googleapis.com/v1
kind: Rules
metadata: {name: growth, namespace: monitoring}
spec:
  groups:
    - name: growth
      rules:
        - alert: PodGrowth
          expr: sum by (namespace) (kube_pod_info) > 1.25 * sum by (namespace) (kube_pod_info offset 1d)
`;
    const analysis = monitoringAnalysis(inventory(text));
    expect(analysis.servers.map((s) => s.kind)).toEqual(['gmp']);
    expect(analysis.kubeStateMetrics.scraped.status).toBe('yes');
    expect(analysis.cadvisor.status).toBe('yes');
    expect(analysis.alerts.map((a) => [a.rule.name, a.rule.loaded, a.classification.covers])).toEqual([['PodGrowth', 'yes', ['pods']]]);
  });

  it('does not count a Prometheus agent as a rule evaluator', () => {
    const text = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: prom-agent, namespace: monitoring}
spec:
  template:
    spec:
      containers:
        - {name: prometheus, image: prom/prometheus:v2.53.0, args: [--enable-feature=agent, --config.file=/etc/prometheus/prometheus.yml]}
`;
    const analysis = monitoringAnalysis(inventory(text));
    expect(analysis.servers.map((s) => [s.kind, s.evaluatesRules])).toEqual([['agent', false]]);
    expect(analysis.hiddenRules[0]).toContain('only forwards metrics');
  });
});

describe('relabel', () => {
  const rules = readRelabelRules([
    { source_labels: ['__meta_kubernetes_service_name'], regex: 'kube-state-metrics|ksm', action: 'keep' },
    { source_labels: ['__meta_kubernetes_namespace'], regex: '(?P<ns>.+)', target_label: 'namespace', replacement: 'ns-${ns}' },
    { regex: '__meta_kubernetes_service_label_(.+)', action: 'labelmap' },
  ]);

  it('keeps, rewrites and maps labels as Prometheus does (anchored RE2 regexes)', () => {
    expect(relabel({ __meta_kubernetes_service_name: 'kube-state-metrics', __meta_kubernetes_namespace: 'mon', __meta_kubernetes_service_label_app: 'x' }, rules)).toEqual({
      __meta_kubernetes_service_name: 'kube-state-metrics',
      __meta_kubernetes_namespace: 'mon',
      __meta_kubernetes_service_label_app: 'x',
      namespace: 'ns-mon',
      app: 'x',
    });
    // Anchored: "kube-state-metrics-shard" does not match the keep regex.
    expect(relabel({ __meta_kubernetes_service_name: 'kube-state-metrics-shard' }, rules)).toBeNull();
  });

  it('says it cannot judge a regex JavaScript does not read', () => {
    expect(relabel({ a: 'b' }, readRelabelRules([{ source_labels: ['a'], regex: '(', action: 'keep' }]))).toBe('unknown');
  });
});
