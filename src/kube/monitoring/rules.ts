import { asArray, asObject, asString, dig } from '../../core/json.js';
import type { FieldPath, Inventory, Resource } from '../../core/types.js';
import { ownedByKind } from '../ownership.js';
import { mountedFiles, parseYamlObject, type MountedFile } from './plain-config.js';
import { anyTri, describeSelector, namespaceSelected, selectorMatches, type Tri } from './selection.js';
import { describeResource as describe } from '../../core/object-ref.js';
import { type MetricsServer } from './servers.js';
import { append } from '../../core/arrays.js';

export interface RuleEntry {
  kind: 'alert' | 'record';
  /** Alert name or recorded metric name. */
  name: string;
  expr: string;
  resource: Resource;
  /** Field to point at: the rule's `expr` in a CR; the file's key in a ConfigMap. */
  path: FieldPath;
  /** `PrometheusRule monitoring/x`, `ConfigMap monitoring/prometheus-server (alerting_rules.yml)`. */
  source: string;
  loaded: Tri;
  /** Why it is not (or may not be) loaded, for messages. */
  whyNotLoaded: string | null;
}

/** Kinds that hold alerting and recording rules. */
export const RULE_KINDS = ['monitoring.coreos.com/PrometheusRule', 'monitoring.googleapis.com/Rules', 'monitoring.googleapis.com/ClusterRules', 'monitoring.googleapis.com/GlobalRules', 'operator.victoriametrics.com/VMRule'];

/**
 * Every alerting and recording rule in the input, and whether something really loads it:
 * PrometheusRules through the `ruleSelector`/`ruleNamespaceSelector` of a Prometheus or ThanosRuler
 * (nil selects nothing, `{}` everything; a nil namespace selector means the CR's own namespace), GKE
 * managed `Rules` always, VMRules through VMAlert selectors, rule files in ConfigMaps through the
 * `rule_files` of a plain Prometheus that mounts them.
 */
export function collectRules(inventory: Inventory, servers: readonly MetricsServer[], plainRuleFiles: ReadonlyMap<MountedFile, MetricsServer>): RuleEntry[] {
  const rules: RuleEntry[] = [];
  const evaluators = inventory.ofKind('monitoring.coreos.com/Prometheus').concat(inventory.ofKind('monitoring.coreos.com/ThanosRuler'));
  const vmAlerts = inventory.ofKind('operator.victoriametrics.com/VMAlert');

  for (const kind of RULE_KINDS) {
    for (const resource of inventory.ofKind(kind)) {
      const { loaded, why } = crLoaded(resource, evaluators, vmAlerts, inventory);
      append(rules, rulesOf(asObject(resource.obj['spec']), resource, ['spec'], describe(resource), loaded, why));
    }
  }

  const loadedFiles = new Set<string>();
  for (const [file, server] of plainRuleFiles) {
    loadedFiles.add(fileKey(file.configMap, file.key));
    append(rules, rulesOf(parseYamlObject(text(file.configMap, file.key)), file.configMap, ['data', file.key], `${describe(file.configMap)} (${file.key}, loaded by ${server.label})`, 'yes', null, true));
  }

  // Rule files nobody is known to load: mounted by a workload kfscan does not model, or by nothing.
  for (const configMap of inventory.ofKind('ConfigMap')) {
    if (isOperatorGenerated(configMap)) continue;
    for (const [key, value] of Object.entries(asObject(configMap.obj['data']) ?? {})) {
      if (loadedFiles.has(fileKey(configMap, key)) || !looksLikeRules(value)) continue;
      const parsed = parseYamlObject(value);
      if (!parsed || !Array.isArray(parsed['groups'])) continue;
      const mountedBy = mountIndex(inventory).get(`${configMap.ref.namespace}\0${configMap.ref.name}`) ?? [];
      const plainServer = mountedBy.find((resource) => servers.some((s) => s.kind === 'plain' && s.resource === resource));
      const why = plainServer
        ? `${describe(plainServer)} mounts it, but its rule_files do not name ${key}`
        : mountedBy.length > 0
          ? `it is mounted by ${describe(mountedBy[0]!)}, which kfscan cannot tell loads it`
          : 'no Prometheus mounts this ConfigMap';
      const loaded: Tri = plainServer || mountedBy.length === 0 ? 'no' : 'unknown';
      append(rules, rulesOf(parsed, configMap, ['data', key], `${describe(configMap)} (${key})`, loaded, why, true));
    }
  }
  return rules;
}

function crLoaded(resource: Resource, evaluators: readonly Resource[], vmAlerts: readonly Resource[], inventory: Inventory): { loaded: Tri; why: string | null } {
  if (resource.group === 'monitoring.googleapis.com') return { loaded: 'yes', why: null };
  const namespace = resource.ref.namespace ?? '';
  if (resource.group === 'operator.victoriametrics.com') {
    if (vmAlerts.length === 0) return { loaded: 'no', why: 'no VMAlert exists to load it' };
    const loaded = anyTri(
      vmAlerts.map((alert) => {
        const spec = asObject(alert.obj['spec']) ?? {};
        const all = spec['selectAllByDefault'] === true;
        if (!selectorMatches(spec['ruleSelector'], resource.labels, all)) return 'no';
        return spec['ruleNamespaceSelector'] == null && all ? 'yes' : namespaceSelected(spec['ruleNamespaceSelector'], namespace, alert.ref.namespace, inventory);
      }),
    );
    return { loaded, why: loaded === 'yes' ? null : 'no VMAlert ruleSelector picks it up' };
  }
  if (evaluators.length === 0) return { loaded: 'no', why: 'no Prometheus or ThanosRuler exists to load it' };
  const verdicts = evaluators.map((evaluator) => {
    const spec = asObject(evaluator.obj['spec']) ?? {};
    if (!selectorMatches(spec['ruleSelector'], resource.labels, false)) return 'no';
    return namespaceSelected(spec['ruleNamespaceSelector'], namespace, evaluator.ref.namespace, inventory);
  });
  const loaded = anyTri(verdicts);
  if (loaded === 'yes') return { loaded, why: null };
  const selectors = evaluators
    .slice(0, 2)
    .map((evaluator) => {
      const spec = asObject(evaluator.obj['spec']) ?? {};
      const ns = spec['ruleNamespaceSelector'] == null ? `namespace ${evaluator.ref.namespace}` : `namespaces matching ${describeSelector(spec['ruleNamespaceSelector'])}`;
      return `${describe(evaluator)} loads rules matching ${describeSelector(spec['ruleSelector'])} in ${ns}`;
    })
    .join('; ');
  const lead = loaded === 'unknown' ? 'the Namespace labels that decide it are not in the input' : 'no Prometheus ruleSelector picks it up';
  return { loaded, why: `${lead} (${selectors})` };
}

function rulesOf(
  spec: Record<string, unknown> | null,
  resource: Resource,
  base: FieldPath,
  source: string,
  loaded: Tri,
  whyNotLoaded: string | null,
  wholeFile = false,
): RuleEntry[] {
  const entries: RuleEntry[] = [];
  asArray(spec?.['groups']).forEach((group, g) => {
    asArray(asObject(group)?.['rules']).forEach((entry, r) => {
      const rule = asObject(entry);
      const expr = rule?.['expr'];
      const exprText = typeof expr === 'string' ? expr : typeof expr === 'number' ? String(expr) : null;
      const alert = asString(rule?.['alert']);
      const record = asString(rule?.['record']);
      if (exprText === null || (alert === null && record === null)) return;
      entries.push({
        kind: alert !== null ? 'alert' : 'record',
        name: alert ?? record ?? '',
        expr: exprText,
        resource,
        path: wholeFile ? base : [...base, 'groups', g, 'rules', r, 'expr'],
        source,
        loaded,
        whyNotLoaded,
      });
    });
  });
  return entries;
}

// ConfigMaps the operator renders from PrometheusRules: counting them would count every rule twice.
function isOperatorGenerated(configMap: Resource): boolean {
  return ownedByKind(configMap, new Set(['Prometheus', 'ThanosRuler'])) || /^prometheus-.+-rulefiles-\d+$/.test(configMap.ref.name) || configMap.labels['managed-by'] === 'prometheus-operator';
}

/**
 * The workloads that mount each ConfigMap holding rules (`namespace\0name`). Built at most once per
 * inventory, and only when a ConfigMap holds rules; only pod templates with a volume naming one of those
 * ConfigMaps have their mounts resolved.
 */
function mountIndex(inventory: Inventory): Map<string, Resource[]> {
  return inventory.memo('ruleConfigMapMounts', () => {
    const holdingRules = new Set(inventory.ofKind('ConfigMap').filter(holdsRuleText).map((cm) => `${cm.ref.namespace}\0${cm.ref.name}`));
    const index = new Map<string, Resource[]>();
    for (const site of inventory.podTemplates()) {
      if (!volumeConfigMaps(site.spec['volumes']).some((name) => holdingRules.has(`${site.namespace}\0${name}`))) continue;
      for (const container of site.containers) {
        for (const file of mountedFiles(container, inventory).values()) {
          const key = `${file.configMap.ref.namespace}\0${file.configMap.ref.name}`;
          const list = index.get(key) ?? [];
          if (!list.includes(site.resource)) list.push(site.resource);
          index.set(key, list);
        }
      }
    }
    return index;
  });
}

function holdsRuleText(configMap: Resource): boolean {
  return Object.values(asObject(configMap.obj['data']) ?? {}).some(looksLikeRules);
}

function looksLikeRules(value: unknown): value is string {
  return typeof value === 'string' && /\bgroups\s*:/.test(value) && /\bexpr\s*:/.test(value);
}

/** Names of the ConfigMaps that the volumes of a pod spec use, plainly or projected. */
function volumeConfigMaps(volumes: unknown): string[] {
  return asArray(volumes).flatMap((entry) => {
    const volume = asObject(entry);
    const sources = [asObject(volume?.['configMap']), ...asArray(asObject(volume?.['projected'])?.['sources']).map((source) => asObject(asObject(source)?.['configMap']))];
    return sources.flatMap((source) => asString(source?.['name']) ?? []);
  });
}

function fileKey(configMap: Resource, key: string): string {
  return `${configMap.ref.namespace}\0${configMap.ref.name}\0${key}`;
}

function text(configMap: Resource, key: string): string {
  return asString(dig(configMap.obj, 'data', key)) ?? '';
}
