import path from 'node:path';
import picomatch from 'picomatch';
import { checkIdIndex } from '../core/check-ids.js';
import { hasExpired, isIsoDay } from '../core/dates.js';
import { didYouMean } from '../core/suggest.js';
import type { CheckMeta, Finding, InputError, SourceLocation } from '../core/types.js';
import { ConfigError, formatPath, type IgnoreEntry, type LoadedConfig } from './load.js';

/** One `ignore` entry of the configuration file, validated, with check ids resolved from aliases. */
export interface IgnoreRule {
  checks: ReadonlySet<string>;
  /** Namespace, resource, path and context conditions of the entry (all of them must hold). */
  matches(finding: Finding): boolean;
  reason: string;
  /** Last day the entry applies (`YYYY-MM-DD`), or `null`. */
  expires: string | null;
  location: SourceLocation;
}

export interface IgnoreRuleSet {
  rules: IgnoreRule[];
  /** Expired entries: they no longer apply, and the user should renew or remove them. */
  warnings: InputError[];
}

type Matcher = (text: string) => boolean;

/**
 * Turns validated `ignore` entries into rules: check ids and aliases resolved against every check kfscan
 * knows (an unknown id is an error, since it would suppress nothing), globs compiled, paths taken
 * relative to the configuration file's directory.
 */
export function ignoreRules(
  config: LoadedConfig,
  catalogue: readonly CheckMeta[],
  cwd: string,
  now: Date,
  /** When a plugin failed to load, an unknown id may be one of its checks: why, for a warning instead of an error. */
  unknownBecause?: (id: string) => string,
): IgnoreRuleSet {
  const canonical = checkIdIndex(catalogue);
  const fail = (at: (string | number)[], message: string): never => {
    const where = config.locate(at);
    throw new ConfigError(`${where.file}:${where.line}:${where.column}: ${message}`);
  };
  const baseDir = path.dirname(config.path);
  const set: IgnoreRuleSet = { rules: [], warnings: [] };

  (config.data.ignore ?? []).forEach((entry: IgnoreEntry, index) => {
    const at = (key: keyof IgnoreEntry, item = 0): (string | number)[] => ['ignore', index, key, ...(Array.isArray(entry[key]) ? [item] : [])];
    const checks = new Set<string>();
    list(entry.check).forEach((id, item) => {
      const resolved = canonical.get(id);
      if (!resolved && unknownBecause) {
        const where = config.locate(at('check', item));
        set.warnings.push({ ...where, message: `${formatPath(['ignore', index, 'check'])} names "${id}": ${unknownBecause(id)}; the entry suppresses nothing for it` });
        return;
      }
      if (!resolved) {
        const hint = id === '*' || id.toLowerCase() === 'all' ? ': name each check, so that checks added later are never silenced by an old entry' : didYouMean(id, canonical.keys());
        fail(at('check', item), `unknown check id "${id}" in ${formatPath(['ignore', index, 'check'])}${hint} (see \`kfscan checks\`)`);
      }
      checks.add(resolved!);
    });
    list(entry.resource).forEach((pattern, item) => {
      if (!pattern.includes('/')) fail(at('resource', item), `"${pattern}" in ${formatPath(['ignore', index, 'resource'])} must be Kind/name, e.g. Service/istio-ingressgateway or Deployment/*`);
    });
    if (entry.expires !== undefined && !isIsoDay(entry.expires)) fail(at('expires'), `"${entry.expires}" is not a calendar date`);

    const conditions: Array<(finding: Finding) => boolean> = [];
    const namespace = globs(entry.namespace, false);
    if (namespace) conditions.push((f) => f.resource?.namespace != null && namespace(f.resource.namespace));
    const resource = globs(entry.resource, true);
    if (resource) conditions.push((f) => f.resource !== null && resource(`${f.resource.kind}/${f.resource.name}`));
    const context = globs(entry.context, false);
    if (context) conditions.push((f) => f.context !== null && context(f.context));
    const file = globs(list(entry.path).map(directoryPattern), false);
    if (file) conditions.push((f) => {
      const relative = manifestPath(f, baseDir, cwd);
      return relative !== null && file(relative);
    });

    const location = config.locate(['ignore', index]);
    const expires = entry.expires ?? null;
    if (expires !== null && hasExpired(expires, now)) {
      set.warnings.push({
        ...location,
        message: `ignore entry for ${[...checks].join(', ')} expired on ${expires} and no longer applies (reason was: ${entry.reason.trim()}); renew or remove it`,
      });
    }
    set.rules.push({ checks, matches: (f) => conditions.every((condition) => condition(f)), reason: entry.reason.trim(), expires, location });
  });
  return set;
}

function list(value: string | string[] | undefined): string[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

function globs(value: string | string[] | undefined, ignoreCase: boolean): Matcher | null {
  const patterns = list(value);
  return patterns.length === 0 ? null : picomatch(patterns, { dot: true, nocase: ignoreCase });
}

/** `deploy/legacy/` means everything below it, as in .gitignore. */
function directoryPattern(pattern: string): string {
  const trimmed = pattern.replace(/^\.\//, '');
  return trimmed.endsWith('/') ? `${trimmed}**` : trimmed;
}

/** The finding's file relative to the configuration's directory, or `null` (stdin, live, outside). */
function manifestPath(finding: Finding, baseDir: string, cwd: string): string | null {
  const file = finding.location?.file;
  if (!file || file === '<stdin>') return null;
  const relative = path.relative(baseDir, path.resolve(cwd, file)).split(path.sep).join('/');
  return relative.startsWith('../') || relative === '..' || path.isAbsolute(relative) ? null : relative;
}
