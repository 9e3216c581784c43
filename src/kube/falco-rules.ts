import { parseEmbeddedYaml } from '../loaders/go-yaml.js';
import { asArray, asObject, asString } from '../core/json.js';
import type { FieldPath, Resource } from '../core/types.js';
import { linearMatcher } from './linear-regex.js';

export const STRATUM_RULE = 'Detect crypto miners using the Stratum protocol';
export const POOL_RULE = 'Detect outbound connections to common miner pool ports';
export const MINER_PROCESS_RULE = 'Known Cryptominer Process Executed';

/** Where something sits in the input: an object and a field path (which may go on into embedded YAML). */
export interface SourceLocation {
  resource: Resource;
  path: FieldPath;
}

/** A rules file in load order: where it comes from (for messages), its items, and its object when the input holds it. */
export interface RulesFile {
  label: string;
  items: readonly unknown[];
  /** The ConfigMap key (or operator object field) that holds the file; its items are at `[...path, index]`. */
  location?: SourceLocation;
}

export interface RuleState {
  name: string;
  enabled: boolean;
  tags: string[];
  condition: string;
  priority: string;
  /** The rules file that defined it. */
  definedIn: string;
  /** What last switched it off, for messages: `enabled: false in ...`, `falco.yaml rules: disable ...`. */
  disabledBy: string | null;
  /** Where that is, when the input holds it. */
  disabledAt: SourceLocation | null;
}

/** A rule selection command, from falco.yaml `rules:` or the command line, applied after all files. */
export type Selection = (
  | { action: 'enable' | 'disable'; rule: string; origin: string }
  | { action: 'enable' | 'disable'; tag: string; origin: string }
  /** `-D <substring>`: disable rules whose name contains it. */
  | { action: 'disable'; substring: string; origin: string }
) & { location?: SourceLocation };

/**
 * Parses a rules file the way Falco reads it (yaml-cpp: the first of two equal keys counts): a YAML list
 * of rule, macro and list items, or why Falco would refuse the file.
 */
export function parseRulesFile(text: string): { items: readonly unknown[] } | { problem: string } {
  const parsed = parseEmbeddedYaml(text, 'first');
  return parsed.ok ? { items: asArray(parsed.value) } : { problem: parsed.reason };
}

/**
 * The rules Falco ends up with: items in file order (definitions, `append`, `override`, and the legacy
 * `- rule: X / enabled: false` toggle), then the selection commands in order, then the minimum priority.
 */
export function evaluateRules(
  files: readonly RulesFile[],
  selection: readonly Selection[],
  minimumPriority: string | null,
  priorityAt?: SourceLocation | null,
): Map<string, RuleState> {
  const rules = new Map<string, RuleState>();
  for (const file of files) {
    file.items.forEach((entry, index) => {
      const item = asObject(entry);
      const name = asString(item?.['rule']);
      if (!item || !name) return;
      const at = file.location ? { resource: file.location.resource, path: [...file.location.path, index, 'enabled'] } : null;
      const existing = rules.get(name);
      const override = asObject(item['override']);
      if (existing && (override || item['append'] === true || isToggle(item))) {
        applyChange(existing, item, override, file.label, at);
        return;
      }
      // A redefinition replaces the rule; anything else without a condition is not a rule Falco loads.
      if (asString(item['condition']) === null) return;
      const enabled = item['enabled'] !== false;
      rules.set(name, {
        name,
        enabled,
        tags: asArray(item['tags']).map(String),
        condition: asString(item['condition']) ?? '',
        priority: asString(item['priority']) ?? '',
        definedIn: file.label,
        disabledBy: enabled ? null : `enabled: false in ${file.label}`,
        disabledAt: enabled ? null : at,
      });
    });
  }
  for (const command of selection) {
    for (const rule of rules.values()) {
      if (!selects(command, rule)) continue;
      rule.enabled = command.action === 'enable';
      rule.disabledBy = rule.enabled ? null : command.origin;
      rule.disabledAt = rule.enabled ? null : (command.location ?? null);
    }
  }
  const threshold = PRIORITY_RANK.get((minimumPriority ?? '').toLowerCase());
  if (threshold !== undefined) {
    for (const rule of rules.values()) {
      const rank = PRIORITY_RANK.get(rule.priority.toLowerCase());
      if (rule.enabled && rank !== undefined && rank > threshold) {
        rule.enabled = false;
        rule.disabledBy = `falco.yaml priority: ${minimumPriority} (the rule is ${rule.priority})`;
        rule.disabledAt = priorityAt ?? null;
      }
    }
  }
  return rules;
}

/** A rule that detects mining, whatever its name: the upstream three, or a custom copy. */
export function isMinerRule(rule: RuleState): boolean {
  if ([STRATUM_RULE, POOL_RULE, MINER_PROCESS_RULE].includes(rule.name)) return true;
  return /stratum|net_miner_pool|miner_domains|miner_binaries|minerpool|is_miner_process|xmrig/i.test(rule.condition);
}

// Falco priorities, most severe first; a minimum priority drops every rule less severe than it.
const PRIORITY_RANK: ReadonlyMap<string, number> = new Map([
  ['emergency', 0],
  ['alert', 1],
  ['critical', 2],
  ['error', 3],
  ['warning', 4],
  ['notice', 5],
  ['informational', 6],
  ['info', 6],
  ['debug', 7],
]);

/** `- rule: X` with `enabled` and nothing that would define a rule: Falco's older way to switch one. */
function isToggle(item: Record<string, unknown>): boolean {
  return typeof item['enabled'] === 'boolean' && asString(item['condition']) === null && asString(item['output']) === null;
}

function applyChange(rule: RuleState, item: Record<string, unknown>, override: Record<string, unknown> | null, label: string, at: SourceLocation | null): void {
  const replaced = (key: string): boolean => override?.[key] === 'replace';
  const appended = (key: string): boolean => override?.[key] === 'append' || (override === null && item['append'] === true);
  if (typeof item['enabled'] === 'boolean' && (isToggle(item) || replaced('enabled'))) {
    rule.enabled = item['enabled'];
    rule.disabledBy = rule.enabled ? null : `enabled: false in ${label}`;
    rule.disabledAt = rule.enabled ? null : at;
  }
  const condition = asString(item['condition']);
  if (condition !== null) rule.condition = replaced('condition') ? condition : appended('condition') ? `${rule.condition} ${condition}` : rule.condition;
  const tags = asArray(item['tags']).map(String);
  if (tags.length > 0) rule.tags = replaced('tags') ? tags : appended('tags') ? [...rule.tags, ...tags] : rule.tags;
  const priority = asString(item['priority']);
  if (priority !== null && replaced('priority')) rule.priority = priority;
}

function selects(command: Selection, rule: RuleState): boolean {
  if ('tag' in command) return rule.tags.includes(command.tag);
  if ('substring' in command) return rule.name.includes(command.substring);
  return wildcard(command.rule)(rule.name);
}

function wildcard(pattern: string): (name: string) => boolean {
  return linearMatcher(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`) ?? ((name) => name === pattern);
}
