import { asArray, asObject, asString, scalarText } from '../../core/json.js';
import type { Inventory, PodTemplateSite, Resource } from '../../core/types.js';
import { readRelabelRules, relabel, sanitizeLabelName, type Labels, type RelabelRule } from './relabel.js';
import { anyTri, type Tri } from './selection.js';

/** An exporter to find in scrape jobs: its pods and the Services in front of them. */
export interface Exporter {
  sites: readonly PodTemplateSite[];
  services: readonly Resource[];
}

/** A scrape job from `prometheus.yml` or a prometheus-operator ScrapeConfig, in one shape. */
export interface ScrapeJob {
  name: string;
  metricsPath: string;
  discovery: Array<{ role: string; namespaces: string[] | null }>;
  relabelings: RelabelRule[];
  staticTargets: string[];
  /** Discovery this model cannot follow (another API server, field selectors). */
  opaque: boolean;
}

const CADVISOR_PATH = '/metrics/cadvisor';

/** Reads `scrape_configs` entries of a plain Prometheus configuration. */
export function readPlainJobs(config: unknown, ownNamespace: string | null): ScrapeJob[] {
  return asArray(asObject(config)?.['scrape_configs']).flatMap((entry) => {
    const job = asObject(entry);
    if (!job) return [];
    const discovery: ScrapeJob['discovery'] = [];
    let opaque = false;
    for (const sdEntry of asArray(job['kubernetes_sd_configs'])) {
      const sd = asObject(sdEntry);
      const role = asString(sd?.['role'])?.toLowerCase();
      if (!sd || !role) continue;
      if (sd['api_server'] !== undefined || sd['selectors'] !== undefined) opaque = true;
      const namespaces = asObject(sd['namespaces']);
      const names = asArray(namespaces?.['names']).map(String);
      if (namespaces?.['own_namespace'] === true && ownNamespace) names.push(ownNamespace);
      discovery.push({ role, namespaces: names.length > 0 ? names : null });
    }
    return [
      {
        name: asString(job['job_name']) ?? '',
        metricsPath: asString(job['metrics_path']) ?? '/metrics',
        discovery,
        relabelings: readRelabelRules(job['relabel_configs']),
        staticTargets: staticTargets(job['static_configs']),
        opaque,
      },
    ];
  });
}

/** A prometheus-operator ScrapeConfig (monitoring.coreos.com/v1alpha1) as a scrape job. */
export function readScrapeConfigJob(resource: Resource): ScrapeJob {
  const spec = asObject(resource.obj['spec']) ?? {};
  return {
    name: `${resource.ref.namespace}/${resource.ref.name}`,
    metricsPath: asString(spec['metricsPath']) ?? '/metrics',
    discovery: asArray(spec['kubernetesSDConfigs']).flatMap((entry) => {
      const sd = asObject(entry);
      const role = asString(sd?.['role'])?.toLowerCase();
      if (!role) return [];
      const names = asArray(asObject(sd?.['namespaces'])?.['names']).map(String);
      return [{ role, namespaces: names.length > 0 ? names : null }];
    }),
    relabelings: readRelabelRules(spec['relabelings']),
    staticTargets: staticTargets(spec['staticConfigs']),
    opaque: false,
  };
}

function staticTargets(value: unknown): string[] {
  return asArray(value).flatMap((group) => asArray(asObject(group)?.['targets']).map(String));
}

/** Whether a job scrapes one of the exporter's pods: discovery role, namespaces, relabel keep/drop, static targets. */
export function jobScrapesExporter(job: ScrapeJob, exporter: Exporter, serverNamespace: string | null): Tri {
  const results: Tri[] = [];
  const base = { job: job.name, __metrics_path__: job.metricsPath, __scheme__: 'http' };
  for (const target of job.staticTargets) {
    if (!staticTargetNames(target, exporter, serverNamespace)) continue;
    results.push(verdict(relabel({ ...base, __address__: target }, job.relabelings)));
  }
  for (const sd of job.discovery) {
    for (const candidate of candidates(sd.role, exporter)) {
      if (sd.namespaces && !sd.namespaces.includes(candidate['__meta_kubernetes_namespace'] ?? '')) continue;
      results.push(job.opaque ? 'unknown' : verdict(relabel({ ...base, ...candidate }, job.relabelings)));
    }
  }
  return anyTri(results);
}

/** Whether a job scrapes the kubelet's cAdvisor endpoint, judged by the metrics path, not the job name. */
export function jobScrapesCadvisor(job: ScrapeJob, inventory: Inventory): Tri {
  const base = { job: job.name, __metrics_path__: job.metricsPath, __scheme__: 'https', __address__: 'node:10250' };
  const results: Tri[] = [];
  const nodes = inventory.ofKind('Node');
  const targets: Labels[] = job.discovery.some((sd) => sd.role === 'node') && nodes.length > 0
    ? nodes.map((node) => ({ ...base, ...metaLabels('node', node.labels, node.annotations), __meta_kubernetes_node_name: node.ref.name }))
    : [{ ...base, __meta_kubernetes_node_name: 'node' }];
  if (job.discovery.length === 0 && job.staticTargets.length === 0) return 'no';
  const pathMentionsCadvisor =
    job.metricsPath.includes(CADVISOR_PATH) || job.relabelings.some((rule) => rule.targetLabel === '__metrics_path__' && rule.replacement.includes(CADVISOR_PATH));
  if (!pathMentionsCadvisor) return 'no';
  const nodeRole = job.discovery.some((sd) => sd.role === 'node');
  for (const labels of targets) {
    const result = relabel(labels, job.relabelings);
    if (result === 'unknown') results.push('unknown');
    // Without Node objects a keep rule on node labels cannot be judged.
    else if (result === null) results.push(nodes.length > 0 || !nodeRole ? 'no' : 'unknown');
    else results.push((result['__metrics_path__'] ?? '').includes(CADVISOR_PATH) ? 'yes' : 'no');
  }
  return anyTri(results);
}

function verdict(result: Labels | null | 'unknown'): Tri {
  return result === 'unknown' ? 'unknown' : result === null ? 'no' : 'yes';
}

// `kube-state-metrics:8080`, `kube-state-metrics.kube-system:8080`, `...svc.cluster.local:8080`.
function staticTargetNames(target: string, exporter: Exporter, serverNamespace: string | null): boolean {
  const host = target.replace(/^[a-z]+:\/\//, '').split('/')[0]!.split(':')[0]!;
  const [name, namespace] = host.split('.');
  return exporter.services.some(
    (service) => service.ref.name === name && service.ref.namespace === (namespace === undefined || namespace === 'svc' ? serverNamespace : namespace),
  );
}

/** The meta labels Kubernetes service discovery gives the exporter's targets for one role. */
function candidates(role: string, exporter: Exporter): Labels[] {
  const out: Labels[] = [];
  if (role === 'pod') {
    for (const site of exporter.sites) {
      for (const port of containerPorts(site)) out.push({ ...podLabels(site), ...port });
    }
    return out;
  }
  if (role !== 'endpoints' && role !== 'endpointslice' && role !== 'service') return out;
  for (const service of exporter.services) {
    const serviceMeta = { ...metaLabels('service', service.labels, service.annotations), __meta_kubernetes_service_name: service.ref.name };
    const ports = asArray(asObject(service.obj['spec'])?.['ports']).map(asObject).filter((p) => p !== null);
    for (const port of ports.length > 0 ? ports : [{}]) {
      const portName = asString(port['name']) ?? '';
      const common = { ...serviceMeta, __meta_kubernetes_namespace: service.ref.namespace ?? '', __address__: `${service.ref.name}:${(scalarText(port['port']) ?? '')}` };
      if (role === 'service') {
        out.push({ ...common, __meta_kubernetes_service_port_name: portName, __meta_kubernetes_service_port_number: (scalarText(port['port']) ?? '') });
        continue;
      }
      const portLabel = role === 'endpoints' ? '__meta_kubernetes_endpoint_port_name' : '__meta_kubernetes_endpointslice_port_name';
      const sites = exporter.sites.filter((site) => site.namespace === service.ref.namespace);
      for (const site of sites.length > 0 ? sites : [null]) out.push({ ...common, ...(site ? podLabels(site) : {}), [portLabel]: portName });
    }
  }
  return out;
}

function podLabels(site: PodTemplateSite): Labels {
  return {
    ...metaLabels('pod', site.labels, site.annotations),
    __meta_kubernetes_namespace: site.namespace,
    __meta_kubernetes_pod_name: site.resource.ref.name,
    __meta_kubernetes_pod_phase: 'Running',
    __meta_kubernetes_pod_ready: 'true',
  };
}

function containerPorts(site: PodTemplateSite): Labels[] {
  const ports: Labels[] = [];
  for (const container of site.containers) {
    for (const entry of asArray(container.container['ports'])) {
      const port = asObject(entry);
      ports.push({
        __meta_kubernetes_pod_container_name: container.name,
        __meta_kubernetes_pod_container_port_name: asString(port?.['name']) ?? '',
        __meta_kubernetes_pod_container_port_number: (scalarText(port?.['containerPort']) ?? ''),
        __address__: `pod:${(scalarText(port?.['containerPort']) ?? '')}`,
      });
    }
  }
  return ports.length > 0 ? ports : [{ __address__: 'pod' }];
}

function metaLabels(kind: string, labels: Readonly<Record<string, string>>, annotations: Readonly<Record<string, string>>): Labels {
  const out: Labels = {};
  for (const [key, value] of Object.entries(labels)) {
    out[`__meta_kubernetes_${kind}_label_${sanitizeLabelName(key)}`] = value;
    out[`__meta_kubernetes_${kind}_labelpresent_${sanitizeLabelName(key)}`] = 'true';
  }
  for (const [key, value] of Object.entries(annotations)) {
    out[`__meta_kubernetes_${kind}_annotation_${sanitizeLabelName(key)}`] = value;
    out[`__meta_kubernetes_${kind}_annotationpresent_${sanitizeLabelName(key)}`] = 'true';
  }
  return out;
}
