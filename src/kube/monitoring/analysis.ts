import { asArray, asObject, asString, dig } from '../../core/json.js';
import type { Inventory, KindName, PodTemplateSite, Resource } from '../../core/types.js';
import { POD_TEMPLATE_KINDS } from '../../inventory/pod-template-kinds.js';
import { imageName, imageNameMatches } from '../image-ref.js';
import { templateOwners } from '../ownership.js';
import { SIGNAL_METRICS, classifyAlertExpr, type AlertClassification } from '../promql/classify.js';
import { expandRecordingRules } from '../promql/expand.js';
import { parsePromQL, type Expr } from '../promql/parse.js';
import { resolvePlainServer, type MountedFile } from './plain-config.js';
import { RULE_KINDS, collectRules, type RuleEntry } from './rules.js';
import { jobScrapesCadvisor, jobScrapesExporter, readPlainJobs, readScrapeConfigJob, type Exporter, type ScrapeJob } from './scrape-jobs.js';
import { anyTri, bothTri, monitorNamespaceSelected, namespaceSelected, selectorMatches, type Tri } from './selection.js';
import { describeResource as describe } from '../../core/object-ref.js';
import { PROMETHEUS_IMAGE, findMetricsServers, type MetricsServer } from './servers.js';

export type { Tri } from './selection.js';
export type { MetricsServer } from './servers.js';
export type { RuleEntry } from './rules.js';

export interface Coverage {
  status: Tri;
  /** What scrapes it (`ServiceMonitor monitoring/kube-state-metrics via Prometheus monitoring/k8s`). */
  via: string | null;
}

export interface ExporterState extends Exporter {
  scraped: Coverage;
}

export interface ClassifiedAlert {
  rule: RuleEntry;
  classification: AlertClassification;
  /** Set when Prometheus would refuse the expression (only expressions naming a signal metric are parsed). */
  parseError: string | null;
}

export interface MonitoringAnalysis {
  servers: MetricsServer[];
  kubeStateMetrics: ExporterState;
  cadvisor: Coverage;
  dcgmExporter: ExporterState;
  rules: RuleEntry[];
  alerts: ClassifiedAlert[];
  /**
   * Why some alert rules may exist where kfscan cannot read them (an evaluator whose configuration is not
   * in the input, or evaluation outside the cluster with no evaluator inside): an absent alert is then
   * "could not decide", not a finding.
   */
  hiddenRules: string[];
}

/** Kinds the monitoring analysis reads (its alert rules and the pods it looks at included): live mode lists them for the checks that use it. */
export const MONITORING_KINDS: readonly KindName[] = [
  'monitoring.coreos.com/Prometheus',
  'monitoring.coreos.com/PrometheusAgent',
  'monitoring.coreos.com/ThanosRuler',
  'monitoring.coreos.com/ServiceMonitor',
  'monitoring.coreos.com/PodMonitor',
  'monitoring.coreos.com/ScrapeConfig',
  'monitoring.googleapis.com/PodMonitoring',
  'monitoring.googleapis.com/ClusterPodMonitoring',
  'monitoring.googleapis.com/ClusterNodeMonitoring',
  'monitoring.googleapis.com/OperatorConfig',
  'operator.victoriametrics.com/VMAgent',
  'operator.victoriametrics.com/VMAlert',
  'operator.victoriametrics.com/VMSingle',
  'operator.victoriametrics.com/VMCluster',
  'operator.victoriametrics.com/VMServiceScrape',
  'operator.victoriametrics.com/VMPodScrape',
  'operator.victoriametrics.com/VMNodeScrape',
  ...RULE_KINDS,
  'Service',
  'ConfigMap',
  'Namespace',
  'Node',
  ...POD_TEMPLATE_KINDS,
];

const KSM_IMAGE = /(?:^|\/)kube-state-metrics$/;
const DCGM_IMAGE = /(?:^|\/)dcgm-exporter$/;
const CADVISOR = '/metrics/cadvisor';

/** The one monitoring analysis that the Prometheus and growth-alert checks share, computed once. */
export function monitoringAnalysis(inventory: Inventory): MonitoringAnalysis {
  return inventory.memo('monitoringAnalysis', () => analyse(inventory));
}

function analyse(inventory: Inventory): MonitoringAnalysis {
  const servers = findMetricsServers(inventory);
  const plain = new Map<MetricsServer, ReturnType<typeof resolvePlainServer>>();
  for (const server of servers) if (server.container && (server.kind === 'plain' || server.kind === 'agent') && isPrometheusImage(server)) plain.set(server, resolvePlainServer(server.container, inventory));

  const ksm = exporter(inventory, (site, image) => KSM_IMAGE.test(image) || site.labels['app.kubernetes.io/name'] === 'kube-state-metrics');
  const dcgm = exporter(
    inventory,
    (site, image) => DCGM_IMAGE.test(image) || site.labels['app'] === 'nvidia-dcgm-exporter' || site.labels['app.kubernetes.io/name'] === 'dcgm-exporter',
  );

  const plainRuleFiles = new Map<MountedFile, MetricsServer>();
  const hiddenRules: string[] = [];
  for (const [server, config] of plain) {
    if (!server.evaluatesRules) continue;
    if (!config.configFile) hiddenRules.push(`${server.label} reads a configuration that is not in the input`);
    if (config.configProblem) hiddenRules.push(`${server.label}'s configuration cannot be parsed (${config.configProblem}): Prometheus refuses it`);
    for (const file of config.ruleFiles) plainRuleFiles.set(file, server);
  }
  for (const server of servers) {
    if (server.kind === 'victoriametrics' && server.container && server.evaluatesRules) hiddenRules.push(`${server.label} (vmalert) reads rule files kfscan does not follow`);
  }
  if (!servers.some((server) => server.evaluatesRules)) {
    for (const server of servers) {
      if (server.kind === 'azure') hiddenRules.push(`${server.label}: Azure Monitor managed Prometheus keeps its rule groups in Azure`);
      else if (server.kind === 'agent') hiddenRules.push(`${server.label} only forwards metrics; rules may be evaluated where it writes to`);
    }
  }

  const rules = collectRules(inventory, servers, plainRuleFiles);
  return {
    servers,
    kubeStateMetrics: { ...ksm, scraped: best(servers.map((server) => exporterCoverage(server, ksm, plain.get(server), inventory))) },
    cadvisor: best(servers.map((server) => cadvisorCoverage(server, plain.get(server), inventory))),
    dcgmExporter: { ...dcgm, scraped: best(servers.map((server) => exporterCoverage(server, dcgm, plain.get(server), inventory))) },
    rules,
    alerts: classifyAlerts(rules),
    hiddenRules,
  };
}

function isPrometheusImage(server: MetricsServer): boolean {
  return imageNameMatches(server.container?.container['image'], PROMETHEUS_IMAGE);
}

function exporter(inventory: Inventory, matches: (site: PodTemplateSite, image: string) => boolean): Exporter {
  const ownerOf = templateOwners(inventory);
  const sites = inventory.podTemplates().filter(
    (site) =>
      !ownerOf(site.resource) &&
      site.containers.some((c) => matches(site, imageName(c.container['image']) ?? '')),
  );
  const services = [...new Set(sites.flatMap((site) => inventory.servicesSelecting(site)))];
  return { sites, services };
}

function best(coverages: Coverage[]): Coverage {
  const status = anyTri(coverages.map((c) => c.status));
  return coverages.find((c) => c.status === status && status !== 'no') ?? { status, via: null };
}

const NO: Coverage = { status: 'no', via: null };

function exporterCoverage(server: MetricsServer, target: Exporter, plain: ReturnType<typeof resolvePlainServer> | undefined, inventory: Inventory): Coverage {
  if (target.sites.length === 0 || !server.scrapes) return NO;
  const spec = asObject(server.resource.obj['spec']) ?? {};
  const ownNs = server.resource.ref.namespace;
  switch (server.kind) {
    case 'operator':
    case 'agent': {
      if (plain) return plainCoverage(server, plain, (job) => jobScrapesExporter(job, target, ownNs));
      if (server.resource.group !== 'monitoring.coreos.com') return { status: 'unknown', via: server.label };
      const found: Coverage[] = [];
      for (const monitor of selectedMonitors(server, 'ServiceMonitor', 'serviceMonitorSelector', 'serviceMonitorNamespaceSelector', inventory)) {
        const hit = target.services.some((svc) => selectorMatches(dig(monitor.resource.obj, 'spec', 'selector'), svc.labels, true) && monitorNamespaceSelected(monitor.resource, svc.ref.namespace ?? ''));
        if (hit) found.push({ status: monitor.selected, via: `${describe(monitor.resource)} selected by ${server.label}` });
      }
      for (const monitor of selectedMonitors(server, 'PodMonitor', 'podMonitorSelector', 'podMonitorNamespaceSelector', inventory)) {
        const hit = target.sites.some((site) => selectorMatches(dig(monitor.resource.obj, 'spec', 'selector'), site.labels, true) && monitorNamespaceSelected(monitor.resource, site.namespace));
        if (hit) found.push({ status: monitor.selected, via: `${describe(monitor.resource)} selected by ${server.label}` });
      }
      for (const config of selectedMonitors(server, 'ScrapeConfig', 'scrapeConfigSelector', 'scrapeConfigNamespaceSelector', inventory)) {
        const status = bothTri(config.selected, jobScrapesExporter(readScrapeConfigJob(config.resource), target, ownNs));
        found.push({ status, via: `${describe(config.resource)} selected by ${server.label}` });
      }
      return withUnmanagedConfig(best(found), server, spec);
    }
    case 'plain':
      return plain ? plainCoverage(server, plain, (job) => jobScrapesExporter(job, target, ownNs)) : { status: 'unknown', via: server.label };
    case 'gmp': {
      const monitors = [...inventory.ofKind('monitoring.googleapis.com/PodMonitoring'), ...inventory.ofKind('monitoring.googleapis.com/ClusterPodMonitoring')];
      const hit = monitors.find((monitor) =>
        target.sites.some((site) => (monitor.ref.namespace === null || monitor.ref.namespace === site.namespace) && selectorMatches(dig(monitor.obj, 'spec', 'selector'), site.labels, true)),
      );
      return hit ? { status: 'yes', via: describe(hit) } : NO;
    }
    case 'victoriametrics': {
      if (server.container) return { status: 'unknown', via: server.label };
      const all = spec['selectAllByDefault'] === true;
      const services = inventory.ofKind('operator.victoriametrics.com/VMServiceScrape').filter((s) => selectorMatches(spec['serviceScrapeSelector'], s.labels, all));
      const pods = inventory.ofKind('operator.victoriametrics.com/VMPodScrape').filter((s) => selectorMatches(spec['podScrapeSelector'], s.labels, all));
      const hit =
        services.find((s) => target.services.some((svc) => selectorMatches(dig(s.obj, 'spec', 'selector'), svc.labels, true) && monitorNamespaceSelected(s, svc.ref.namespace ?? ''))) ??
        pods.find((s) => target.sites.some((site) => selectorMatches(dig(s.obj, 'spec', 'selector'), site.labels, true) && monitorNamespaceSelected(s, site.namespace)));
      return hit ? { status: 'yes', via: `${describe(hit)} selected by ${server.label}` } : NO;
    }
    // ama-metrics scrapes kube-state-metrics and the kubelet by default.
    case 'azure':
      return { status: 'yes', via: server.label };
    case 'ruler':
      return NO;
  }
}

function cadvisorCoverage(server: MetricsServer, plain: ReturnType<typeof resolvePlainServer> | undefined, inventory: Inventory): Coverage {
  if (!server.scrapes) return NO;
  const spec = asObject(server.resource.obj['spec']) ?? {};
  if (plain) return plainCoverage(server, plain, (job) => jobScrapesCadvisor(job, inventory));
  switch (server.kind) {
    case 'operator':
    case 'agent': {
      if (server.resource.group !== 'monitoring.coreos.com') return { status: 'unknown', via: server.label };
      const found: Coverage[] = [];
      for (const monitor of selectedMonitors(server, 'ServiceMonitor', 'serviceMonitorSelector', 'serviceMonitorNamespaceSelector', inventory)) {
        if (endpointPaths(monitor.resource, 'endpoints').some((path) => path.includes(CADVISOR))) found.push({ status: monitor.selected, via: `${describe(monitor.resource)} selected by ${server.label}` });
      }
      for (const monitor of selectedMonitors(server, 'PodMonitor', 'podMonitorSelector', 'podMonitorNamespaceSelector', inventory)) {
        if (endpointPaths(monitor.resource, 'podMetricsEndpoints').some((path) => path.includes(CADVISOR))) found.push({ status: monitor.selected, via: `${describe(monitor.resource)} selected by ${server.label}` });
      }
      for (const config of selectedMonitors(server, 'ScrapeConfig', 'scrapeConfigSelector', 'scrapeConfigNamespaceSelector', inventory)) {
        found.push({ status: bothTri(config.selected, jobScrapesCadvisor(readScrapeConfigJob(config.resource), inventory)), via: `${describe(config.resource)} selected by ${server.label}` });
      }
      return withUnmanagedConfig(best(found), server, spec);
    }
    case 'plain':
      return { status: 'unknown', via: server.label };
    case 'gmp': {
      const kubelet = asObject(dig(inventory.ofKind('monitoring.googleapis.com/OperatorConfig')[0]?.obj, 'collection', 'kubeletScraping'));
      if (kubelet) return { status: 'yes', via: 'OperatorConfig collection.kubeletScraping' };
      const node = inventory.ofKind('monitoring.googleapis.com/ClusterNodeMonitoring').find((m) => endpointPaths(m, 'endpoints').some((p) => p.includes(CADVISOR)));
      return node ? { status: 'yes', via: describe(node) } : NO;
    }
    case 'victoriametrics': {
      if (server.container) return { status: 'unknown', via: server.label };
      const all = spec['selectAllByDefault'] === true;
      const node = inventory
        .ofKind('operator.victoriametrics.com/VMNodeScrape')
        .find((s) => selectorMatches(spec['nodeScrapeSelector'], s.labels, all) && (asString(dig(s.obj, 'spec', 'path')) ?? '').includes(CADVISOR));
      return node ? { status: 'yes', via: `${describe(node)} selected by ${server.label}` } : NO;
    }
    case 'azure':
      return { status: 'yes', via: server.label };
    case 'ruler':
      return NO;
  }
}

/**
 * With all four selectors nil the operator leaves the configuration to the user (a Secret kfscan does not
 * read), and `additionalScrapeConfigs` add jobs from a Secret: what is not found may be there.
 */
function withUnmanagedConfig(found: Coverage, server: MetricsServer, spec: Record<string, unknown>): Coverage {
  if (found.status === 'yes') return found;
  const unmanaged = ['serviceMonitorSelector', 'podMonitorSelector', 'probeSelector', 'scrapeConfigSelector'].every((key) => spec[key] == null);
  if (unmanaged || spec['additionalScrapeConfigs'] != null) return { status: 'unknown', via: `${server.label} (scrape jobs from a Secret)` };
  return found;
}

function selectedMonitors(server: MetricsServer, kind: string, selectorKey: string, namespaceKey: string, inventory: Inventory): Array<{ resource: Resource; selected: Tri }> {
  const spec = asObject(server.resource.obj['spec']) ?? {};
  const out: Array<{ resource: Resource; selected: Tri }> = [];
  for (const resource of inventory.ofKind(`monitoring.coreos.com/${kind}`)) {
    if (!selectorMatches(spec[selectorKey], resource.labels, false)) continue;
    const selected = namespaceSelected(spec[namespaceKey], resource.ref.namespace ?? '', server.resource.ref.namespace, inventory);
    if (selected !== 'no') out.push({ resource, selected });
  }
  return out;
}

function endpointPaths(resource: Resource, field: string): string[] {
  return asArray(dig(resource.obj, 'spec', field)).map((endpoint) => asString(asObject(endpoint)?.['path']) ?? '');
}

/** What a plain Prometheus scrapes: unknown when its configuration is one Prometheus refuses. */
function plainCoverage(server: MetricsServer, plain: ReturnType<typeof resolvePlainServer>, scrapes: (job: ScrapeJob) => Tri): Coverage {
  if (plain.configProblem) return { status: 'unknown', via: `${server.label} (its configuration cannot be parsed: ${plain.configProblem})` };
  return jobsCoverage(server, plainJobs(plain, server.resource.ref.namespace), scrapes);
}

function plainJobs(plain: ReturnType<typeof resolvePlainServer>, ownNs: string | null): ScrapeJob[] {
  return [plain.config, ...plain.scrapeConfigFiles].flatMap((config) => readPlainJobs(config, ownNs));
}

function jobsCoverage(server: MetricsServer, jobs: ScrapeJob[], scrapes: (job: ScrapeJob) => Tri): Coverage {
  const found = jobs.map((job) => ({ status: scrapes(job), via: `job ${job.name} of ${server.label}` }));
  return best(found);
}

/**
 * Classifies every alert after expanding the recording rules that may be loaded. Only rules whose text
 * names a signal metric, or a recording rule that (in turn) does, can carry a signal: the others (most of
 * kube-prometheus' hundreds: node, API server, etcd alerts) are not parsed at all and classify as `none`.
 */
function classifyAlerts(rules: readonly RuleEntry[]): ClassifiedAlert[] {
  const loadedRecordings = rules.filter((rule) => rule.kind === 'record' && rule.loaded !== 'no');
  const relevantNames = new Set(SIGNAL_METRICS);
  for (let grew = true; grew; ) {
    grew = false;
    const mentions = namesPattern(relevantNames);
    for (const rule of loadedRecordings) {
      if (!relevantNames.has(rule.name) && mentions.test(rule.expr)) {
        relevantNames.add(rule.name);
        grew = true;
      }
    }
  }
  const mentionsSignal = namesPattern(relevantNames);

  const recordings = new Map<string, Expr[]>();
  for (const rule of loadedRecordings) {
    if (!mentionsSignal.test(rule.expr)) continue;
    const parsed = parsePromQL(rule.expr);
    if (!parsed.ok) continue;
    const list = recordings.get(rule.name) ?? [];
    list.push(parsed.expr);
    recordings.set(rule.name, list);
  }
  return rules
    .filter((rule) => rule.kind === 'alert')
    .map((rule) => {
      if (!mentionsSignal.test(rule.expr)) return { rule, classification: { class: 'none', signals: {}, covers: [] }, parseError: null };
      const parsed = parsePromQL(rule.expr);
      if (!parsed.ok) return { rule, classification: { class: 'none', signals: {}, covers: [] }, parseError: parsed.error };
      return { rule, classification: classifyAlertExpr(expandRecordingRules(parsed.expr, recordings)), parseError: null };
    });
}

/** Matches a text that contains one of the names. */
function namesPattern(names: ReadonlySet<string>): RegExp {
  return new RegExp([...names].map((name) => name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'));
}
