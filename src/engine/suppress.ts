import { checkIdIndex } from '../core/check-ids.js';
import { hasExpired, isIsoDay } from '../core/dates.js';
import { groupOf } from '../core/kinds.js';
import { describeObject } from '../core/object-ref.js';
import { didYouMean } from '../core/suggest.js';
import type {
  CheckMeta,
  Finding,
  InputError,
  Inventory,
  Resource,
  SuppressedFinding,
  Suppression,
} from '../core/types.js';
import type { IgnoreRule } from '../config/ignore-rules.js';

export const IGNORE_ANNOTATION = 'kfscan.io/ignore';
export const IGNORE_REASON_ANNOTATION = 'kfscan.io/ignore-reason';
export const IGNORE_EXPIRES_ANNOTATION = 'kfscan.io/ignore-expires';

export interface SuppressionOptions {
  /** Entries from the configuration file. */
  rules?: readonly IgnoreRule[];
  /** Honour `kfscan.io/ignore` annotations (default): off when those who deploy are not trusted to waive. */
  annotations?: boolean;
  /**
   * `--untrusted`: the waivers the scanned tree wrote itself (its annotations, and `reportedRules`) leave
   * their findings reported; each waiver that would have applied becomes a warning instead.
   */
  untrusted?: boolean;
  /** Entries of a configuration found in an untrusted tree: reported, never applied. */
  reportedRules?: readonly IgnoreRule[];
  /** Today, for expiry dates; tests inject it. */
  now?: Date;
  /**
   * Every check kfscan knows (not only those selected), to resolve aliases and to tell a typo in an
   * annotation from a check that is merely not selected. Defaults to the checks that ran.
   */
  catalogue?: readonly CheckMeta[];
}

export interface SuppressionOutcome {
  findings: Finding[];
  suppressed: SuppressedFinding[];
  /** Annotations naming unknown checks, with bad or past expiry dates; waivers not applied (`untrusted`). */
  warnings: InputError[];
}

/** How the warning for a waiver that `--untrusted` did not apply starts. */
export const NOT_APPLIED = 'not applied (--untrusted):';

interface AnnotationIgnore {
  resource: Resource;
  checks: ReadonlySet<string>;
  reason: string | null;
  expires: string | null;
  state: 'active' | 'expired' | 'invalid';
}

/**
 * Splits findings into reported and suppressed. A finding is suppressed by the first of: the
 * `kfscan.io/ignore` annotation on its object, the same annotation on the object's Namespace (when the
 * Namespace is among the inputs), an entry of the configuration file. Expired suppressions and
 * annotations with an unreadable expiry do not apply: failing closed keeps a finding visible.
 */
export function applySuppressions(
  inventory: Inventory,
  findings: readonly Finding[],
  checks: readonly CheckMeta[],
  options: SuppressionOptions = {},
): SuppressionOutcome {
  const now = options.now ?? new Date();
  const outcome: SuppressionOutcome = { findings: [], suppressed: [], warnings: [] };
  const annotations = options.annotations === false ? new Map<string, AnnotationIgnore>() : readAnnotations(inventory, options.catalogue ?? checks, now, outcome.warnings);
  const current = (rule: IgnoreRule): boolean => rule.expires === null || !hasExpired(rule.expires, now);
  const rules = (options.rules ?? []).filter(current);
  const untrusted = options.untrusted === true;
  const reportedRules = (options.reportedRules ?? []).filter(current);
  const warnedExpired = new Set<Resource>();
  const notApplied = new Map<string, { waiver: Suppression; checks: Set<string>; findings: number }>();

  for (const finding of findings) {
    const expired: AnnotationIgnore[] = [];
    const suppression = findSuppression(finding, untrusted ? new Map() : annotations, rules, expired);
    if (suppression) {
      outcome.suppressed.push({ ...finding, suppression });
      continue;
    }
    outcome.findings.push(finding);
    if (untrusted) {
      const waiver = findSuppression(finding, annotations, reportedRules, []);
      if (waiver) {
        const key = JSON.stringify([waiver.via, waiver.resource, waiver.location]);
        const entry = notApplied.get(key) ?? { waiver, checks: new Set<string>(), findings: 0 };
        entry.checks.add(finding.checkId);
        entry.findings++;
        notApplied.set(key, entry);
      }
    }
    // Said once per annotation, and only when the finding is reported because of it.
    for (const ignore of expired) {
      if (warnedExpired.has(ignore.resource)) continue;
      warnedExpired.add(ignore.resource);
      const message = `${IGNORE_ANNOTATION} on ${describeObject(ignore.resource.ref)} expired on ${ignore.expires}: its findings are reported again`;
      outcome.warnings.push(annotationWarning(ignore.resource, IGNORE_EXPIRES_ANNOTATION, message));
    }
  }
  for (const { waiver, checks, findings: count } of notApplied.values()) outcome.warnings.push(notAppliedWarning(waiver, checks, count));
  return outcome;
}

function notAppliedWarning(waiver: Suppression, checks: ReadonlySet<string>, count: number): InputError {
  const what = waiver.via === 'config' ? 'ignore entry' : `${IGNORE_ANNOTATION} on ${describeObject(waiver.resource!)}`;
  const message = `${NOT_APPLIED} ${what} would waive ${[...checks].sort().join(', ')} (${count} finding${count === 1 ? '' : 's'}, reported): ${waiver.justification}`;
  const at = waiver.location;
  return at ? { file: at.file, line: at.line, column: at.column, message } : { message };
}

function findSuppression(
  finding: Finding,
  annotations: ReadonlyMap<string, AnnotationIgnore>,
  rules: readonly IgnoreRule[],
  expired: AnnotationIgnore[],
): Suppression | null {
  if (finding.resource && annotations.size > 0) {
    const { apiVersion, kind, namespace, name } = finding.resource;
    const own = annotations.get(identity(groupOf(apiVersion), kind, namespace, name));
    const ns = namespace === null ? undefined : annotations.get(identity('', 'Namespace', null, namespace));
    for (const [ignore, via] of [
      [own, 'annotation'],
      [ns, 'namespace-annotation'],
    ] as const) {
      if (!ignore?.checks.has(finding.checkId)) continue;
      if (ignore.state === 'expired') expired.push(ignore);
      if (ignore.state !== 'active') continue;
      return {
        kind: 'inSource',
        via,
        justification: ignore.reason ?? `no reason given (${IGNORE_ANNOTATION} on ${describeObject(ignore.resource.ref)} has no ${IGNORE_REASON_ANNOTATION})`,
        location: ignore.resource.locate(['metadata', 'annotations', IGNORE_ANNOTATION]),
        resource: { ...ignore.resource.ref },
        expires: ignore.expires,
      };
    }
  }
  for (const rule of rules) {
    if (!rule.checks.has(finding.checkId) || !rule.matches(finding)) continue;
    return { kind: 'inSource', via: 'config', justification: rule.reason, location: { ...rule.location }, resource: null, expires: rule.expires };
  }
  return null;
}

/** Group, kind, namespace and name: one object, however many times the input defines it. */
function identity(group: string, kind: string, namespace: string | null, name: string): string {
  return JSON.stringify([group, kind, namespace ?? '', name]);
}

/**
 * The `kfscan.io/ignore` annotations of the input, by object. When an object is defined more than once
 * (a Namespace repeated in several apps' folders), the last definition that carries the annotation
 * counts: the other copies are not the ones a reviewer wrote the waiver on.
 */
function readAnnotations(inventory: Inventory, catalogue: readonly CheckMeta[], now: Date, warnings: InputError[]): Map<string, AnnotationIgnore> {
  const canonical = checkIdIndex(catalogue);
  const found = new Map<string, AnnotationIgnore>();
  for (const resource of inventory.all()) {
    const value = resource.annotations[IGNORE_ANNOTATION];
    if (value === undefined) continue;
    const checks = new Set<string>();
    for (const id of value.split(',').map((part) => part.trim()).filter(Boolean)) {
      const resolved = canonical.get(id);
      if (resolved) checks.add(resolved);
      else warnings.push(annotationWarning(resource, IGNORE_ANNOTATION, unknownIdMessage(id, resource, canonical.keys())));
    }
    const reason = resource.annotations[IGNORE_REASON_ANNOTATION]?.trim() || null;
    const expires = resource.annotations[IGNORE_EXPIRES_ANNOTATION]?.trim() ?? null;
    let state: AnnotationIgnore['state'] = 'active';
    if (expires !== null && !isIsoDay(expires)) {
      state = 'invalid';
      warnings.push(
        annotationWarning(
          resource,
          IGNORE_EXPIRES_ANNOTATION,
          `${IGNORE_EXPIRES_ANNOTATION} on ${describeObject(resource.ref)} is not a date (YYYY-MM-DD): the ignore does not apply`,
        ),
      );
    } else if (expires !== null && hasExpired(expires, now)) {
      state = 'expired';
    }
    if (checks.size > 0) found.set(identity(resource.group, resource.ref.kind, resource.ref.namespace, resource.ref.name), { resource, checks, reason, expires, state });
  }
  return found;
}

function unknownIdMessage(id: string, resource: Resource, known: Iterable<string>): string {
  const where = `${IGNORE_ANNOTATION} on ${describeObject(resource.ref)}`;
  if (id === '*' || id.toLowerCase() === 'all') {
    return `${where}: "${id}" is not a check id; name each check, so that checks added later are never silenced by an old annotation`;
  }
  return `${where} names unknown check "${id}"${didYouMean(id, known)}: it suppresses nothing`;
}

function annotationWarning(resource: Resource, annotation: string, message: string): InputError {
  const location = resource.locate(['metadata', 'annotations', annotation]);
  if (location) return { file: location.file, line: location.line, column: location.column, message };
  if (resource.origin.type === 'cluster') return { context: resource.origin.context, resource: describeObject(resource.ref), message };
  return { message };
}
