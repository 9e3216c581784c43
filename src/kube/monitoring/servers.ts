import type { ContainerSite, Inventory, Resource } from '../../core/types.js';
import { describeResource as describe } from '../../core/object-ref.js';
import { imageName } from '../image-ref.js';
import { ownedByKind, templateOwners } from '../ownership.js';
import { hasFlag } from './plain-config.js';

export type ServerKind =
  /** A prometheus-operator `Prometheus` CR. */
  | 'operator'
  /** A Deployment/StatefulSet/Pod running the Prometheus image with its own configuration. */
  | 'plain'
  /** Scrapes and forwards, evaluates no rules: `PrometheusAgent`, `prometheus --agent`, Grafana Agent/Alloy. */
  | 'agent'
  /** Evaluates rules only: `ThanosRuler`, `VMAlert`. */
  | 'ruler'
  /** GKE Managed Service for Prometheus: collectors, rule evaluator and `Rules` objects in the cluster. */
  | 'gmp'
  /** VictoriaMetrics operator: `VMAgent` scrapes, `VMAlert` evaluates `VMRule`s. */
  | 'victoriametrics'
  /** Azure Monitor managed Prometheus (`ama-metrics`): scrapes kubelet and kube-state-metrics; rules are Azure resources. */
  | 'azure';

export interface MetricsServer {
  kind: ServerKind;
  resource: Resource;
  /** The Prometheus container of a plain or agent workload. */
  container: ContainerSite | null;
  /** `Prometheus monitoring/k8s`, `Deployment monitoring/prometheus-server`. */
  label: string;
  scrapes: boolean;
  /** Evaluates alert rules in the cluster, where kfscan can read them. */
  evaluatesRules: boolean;
}

/** Prometheus itself, under any registry or mirror prefix. */
export const PROMETHEUS_IMAGE = /(?:^|\/)(?:prom|prometheus)\/prometheus$/;
const GMP_IMAGE = /\/prometheus-engine\/(?:prometheus|rule-evaluator)$/;
const AGENT_IMAGE = /(?:^|\/)grafana\/(?:agent|alloy)$/;
const AZURE_IMAGE = /azuremonitor\/containerinsights\/ciprod\/prometheus-collector/;
const VM_IMAGE = /(?:^|\/)victoriametrics\/(?:victoria-metrics|vmagent|vmalert)$/;
const OPERATOR_OWNERS = new Set(['Prometheus', 'PrometheusAgent', 'ThanosRuler', 'Alertmanager']);
/** The VictoriaMetrics operator's server kinds: a container they own is reported as its object. */
const VM_KINDS: ReadonlySet<string> = new Set(['VMAgent', 'VMAlert', 'VMSingle', 'VMCluster']);
const GMP_KINDS = ['PodMonitoring', 'ClusterPodMonitoring', 'ClusterNodeMonitoring', 'Rules', 'ClusterRules', 'GlobalRules', 'OperatorConfig'].map((k) => `monitoring.googleapis.com/${k}`);

/** Every metrics collector and rule evaluator in the input, found by CR kind and by image, not by name. */
export function findMetricsServers(inventory: Inventory): MetricsServer[] {
  const servers: MetricsServer[] = [];
  for (const resource of inventory.ofKind('monitoring.coreos.com/Prometheus')) {
    servers.push({ kind: 'operator', resource, container: null, label: describe(resource), scrapes: true, evaluatesRules: true });
  }
  for (const resource of inventory.ofKind('monitoring.coreos.com/PrometheusAgent')) {
    servers.push({ kind: 'agent', resource, container: null, label: describe(resource), scrapes: true, evaluatesRules: false });
  }
  for (const resource of inventory.ofKind('monitoring.coreos.com/ThanosRuler')) {
    servers.push({ kind: 'ruler', resource, container: null, label: describe(resource), scrapes: false, evaluatesRules: true });
  }
  for (const kind of VM_KINDS) {
    for (const resource of inventory.ofKind(`operator.victoriametrics.com/${kind}`)) {
      servers.push({ kind: 'victoriametrics', resource, container: null, label: describe(resource), scrapes: kind === 'VMAgent', evaluatesRules: kind === 'VMAlert' });
    }
  }
  const gmpObject = GMP_KINDS.map((kind) => inventory.ofKind(kind)[0]).find((r) => r !== undefined);
  let gmpFound = false;
  let azureFound = false;

  // The label is built for a server found only: most containers are none.
  const found = (container: ContainerSite, kind: ServerKind, scrapes: boolean, evaluatesRules: boolean): void => {
    servers.push({ kind, resource: container.pod.resource, container, label: describe(container.pod.resource), scrapes, evaluatesRules });
  };
  const ownerOf = templateOwners(inventory);
  for (const site of inventory.podTemplates()) {
    if (ownerOf(site.resource) || ownedByKind(site.resource, OPERATOR_OWNERS)) continue;
    for (const container of site.containers) {
      if (container.type !== 'container') continue;
      const path = imageName(container.container['image']) ?? '';
      if (PROMETHEUS_IMAGE.test(path)) {
        const agent = hasFlag(container, /^--?(?:agent|enable-feature=.*\bagent\b)/);
        found(container, agent ? 'agent' : 'plain', true, !agent);
      } else if (GMP_IMAGE.test(path) && !gmpFound) {
        gmpFound = true;
        found(container, 'gmp', true, true);
      } else if (AGENT_IMAGE.test(path)) {
        found(container, 'agent', true, false);
      } else if ((AZURE_IMAGE.test(path) || /^ama-metrics/.test(site.resource.ref.name)) && !azureFound) {
        azureFound = true;
        found(container, 'azure', true, false);
      } else if (VM_IMAGE.test(path) && !ownedByKind(site.resource, VM_KINDS)) {
        // The name ends with the repository's last segment: vmalert, not vmagent.
        const alerting = path.endsWith('vmalert');
        found(container, 'victoriametrics', !alerting, alerting);
      }
    }
  }
  if (!gmpFound && gmpObject) servers.push({ kind: 'gmp', resource: gmpObject, container: null, label: describe(gmpObject), scrapes: true, evaluatesRules: true });
  return servers;
}
