import { defineBuiltinCheck } from '../../src/catalogue/check-unit.js';
import { remediation } from './remediation.js';
import type { Draft, Inventory, RelatedLocation, Undecided } from '../../src/core/types.js';
import { falcoRules, nodeSensors, sensorLabel, type FalcoRulesAnalysis, type RuntimeSensor } from '../../src/kube/falco.js';
import { isMinerRule, POOL_RULE, STRATUM_RULE, type RuleState, type SourceLocation } from '../../src/kube/falco-rules.js';
import { unionOfKinds } from '../../src/core/kinds.js';
import { POD_TEMPLATE_KINDS } from '../../src/inventory/pod-template-kinds.js';
import { FALCO_KIT_READS } from '../../src/remediate/falco.js';
import { append } from '../../src/core/arrays.js';

const check = defineBuiltinCheck({
  meta: {
    id: 'falco-miner-rules',
    title: 'Falco runs without its crypto-miner rules',
    category: 'falco-rules',
    severity: 'medium',
    description:
      'Falco runs, but "Detect crypto miners using the Stratum protocol" and "Detect outbound connections to common miner pool ports" are not loaded or are disabled. kfscan follows what the Falco pods load: falco.yaml (rules_files, config_files, the rules: enable/disable list, priority), command-line -r, -o, -D, -T and -t, the ConfigMaps mounted as rules files (including the rules baked into ConfigMaps by 2021-era charts), falcoctl artifact references (falco-rules against falco-sandbox-rules, by version) and Falco operator Rulesfiles. Medium when no miner rule runs at all, low when one runs and the other does not. The finding points at the rule source: the line that switches a rule off, the rules_files line that leaves installed rules out, the line listing the rules artifacts that lack them, or the rules file that omits them; at the Falco workload only when the input holds no rules source.',
    rationale:
      'Since falco-rules 2.0 (Falco 0.36) the miner rules live in the sandbox rules set, which the Helm chart does not install: a default Falco today would not flag the XMRig and Ethminer command lines of the 2021 campaign. The pool-connection rule ships disabled even where it is loaded.',
    remediation:
      'Install the sandbox rules and load them: add `falco-sandbox-rules:<major>` to falcoctl `artifact.install.refs` and `artifact.follow.refs` and `/etc/falco/falco-sandbox_rules.yaml` to `rules_files` (or copy the two rules into `customRules`), then enable the pool rule with a falco.yaml `rules: [{enable: {rule: "Detect outbound connections to common miner pool ports"}}]` entry if its DNS lookups are acceptable.',
    tags: ['MS-TA9039'],
    // FALCO_KIT_READS: the kit's miner rules name the Kubeflow namespaces, its Helm values tolerate the nodes' taints.
    needs: unionOfKinds(['apps/DaemonSet', 'ConfigMap', 'instance.falcosecurity.dev/Falco', 'artifact.falcosecurity.dev/Rulesfile', 'artifact.falcosecurity.dev/Config'], POD_TEMPLATE_KINDS, FALCO_KIT_READS),
    absence: true,
  },
  *run(inventory) {
    const sensors = nodeSensors(inventory);
    const falcos = sensors.filter((sensor) => sensor.falco);
    if (falcos.length === 0) {
      // Another product's policies are not something kfscan can read: say so rather than pass.
      const other = sensors[0];
      if (other) yield { undecided: true, reason: `the runtime sensor is ${sensorLabel(other)}, not Falco: kfscan cannot read its policies; check that its crypto-mining detection is on` };
      return;
    }
    for (const sensor of falcos) yield* judge(sensor, inventory);
  },
  attackPath: ['detection'],
  remediation,
});

function* judge(sensor: RuntimeSensor, inventory: Inventory): Generator<Draft | Undecided> {
  const { sources, rules } = falcoRules(inventory, sensor);
  const stratum = rules.get(STRATUM_RULE);
  const pool = rules.get(POOL_RULE);
  if (stratum?.enabled && pool?.enabled) return;
  const label = sensorLabel(sensor);
  if (sources.unknown.length > 0) {
    yield { undecided: true, reason: `${label} loads rules kfscan cannot see: ${sources.unknown.join('; ')}` };
    return;
  }
  const active = [...rules.values()].filter((rule) => rule.enabled && isMinerRule(rule));
  const missing =
    !stratum && !pool
      ? [`neither "${STRATUM_RULE}" nor "${POOL_RULE}" is loaded`]
      : [stratum, pool].flatMap((rule, index) => (rule?.enabled ? [] : [rule ? status(rule) : `"${[STRATUM_RULE, POOL_RULE][index]}" is not loaded`]));
  const at = ruleSource(sensor, sources, stratum, pool);
  const related: RelatedLocation[] = [
    ...(at.resource !== sensor.resource ? [{ resource: sensor.resource, path: sensor.container ? [...sensor.container.path] : sensor.podSpecPath, note: label }] : []),
    ...sources.related.filter((r, i, all) => all.findIndex((o) => o.resource === r.resource && o.note === r.note) === i),
  ];
  if (active.length === 0) {
    yield {
      resource: at.resource,
      path: at.path,
      severity: 'medium',
      key: 'none',
      message: `${label} runs no crypto-miner rule: ${joinAnd(missing)}${why(stratum, sources)}`,
      related,
    };
    return;
  }
  yield {
    resource: at.resource,
    path: at.path,
    severity: 'low',
    key: 'partial',
    message: `${label} detects miners with ${joinAnd(active.map((rule) => `"${rule.name}"`))}, but ${joinAnd(missing)}${poolNote(pool)}`,
    related,
  };
}

/**
 * Where to point: the rule source that disables or omits the rules. A rule switched off, where it is
 * switched off; rules installed but not loaded, the rules_files line that leaves them out; rules from
 * an artifact that lacks them, the line that lists the artifacts; the image's own rules, the rules list
 * that names them; a rules file that lacks them, that file. The Falco workload only when the input
 * holds no rules source.
 */
function ruleSource(sensor: RuntimeSensor, sources: FalcoRulesAnalysis['sources'], stratum: RuleState | undefined, pool: RuleState | undefined): SourceLocation {
  const fallback: SourceLocation = { resource: sensor.resource, path: sensor.container ? [...sensor.container.path] : sensor.podSpecPath };
  const missing = !stratum || !pool;
  if (!missing) return [stratum, pool].find((rule) => !rule.enabled && rule.disabledAt)?.disabledAt ?? fallback;
  if (sources.notLoaded.length > 0 && sources.rulesListAt) return sources.rulesListAt;
  if (sources.stableSetOnly && sources.artifactsAt) return sources.artifactsAt;
  if (sources.stableSetOnly && sources.rulesListAt) return sources.rulesListAt;
  const file = sources.files.find((f) => f.location)?.location;
  if (file) return file;
  const disabled = [stratum, pool].find((rule) => rule && !rule.enabled && rule.disabledAt)?.disabledAt;
  return disabled ?? sources.rulesListAt ?? sources.artifactsAt ?? fallback;
}

function status(rule: RuleState): string {
  return rule.enabled ? `"${rule.name}" is enabled` : `"${rule.name}" is disabled (${rule.disabledBy ?? 'enabled: false'})`;
}

function why(stratum: RuleState | undefined, sources: FalcoRulesAnalysis['sources']): string {
  const notes: string[] = [];
  if (!stratum && sources.stableSetOnly) {
    const installedElsewhere = sources.notLoaded.some((n) => n.includes('falco-sandbox-rules'));
    notes.push(
      `it loads the stable rules set (falco-rules 2.0 or later), which has had no miner rules since they moved to the sandbox set${installedElsewhere ? '' : ', and falco-sandbox-rules is not installed'}`,
    );
  }
  append(notes, sources.notLoaded);
  return notes.length > 0 ? `; ${notes.join('; ')}` : '';
}

function poolNote(pool: RuleState | undefined): string {
  if (!pool || pool.enabled || !pool.disabledBy?.startsWith('enabled: false')) return '';
  return '; upstream ships it disabled because it resolves pool domains by DNS, so connections to mining pools go unseen';
}

function joinAnd(items: string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

export default check;
