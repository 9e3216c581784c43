import { findingId } from '../core/finding-id.js';
import { hash } from 'node:crypto';
import { errorText } from '../core/error-text.js';
import { SEVERITIES, isSeverity, severityRank } from '../core/severity.js';
import type {
  Check,
  CheckMeta,
  Draft,
  FieldPath,
  Finding,
  InputError,
  Inventory,
  Resource,
  SourceLocation,
  Undecided,
  UndecidedCheck,
} from '../core/types.js';
import { declaredReads, guardReads, strictReadsEnabled } from '../inventory/read-guard.js';
import { mlPlatformPresent } from '../kube/ml-platform.js';
import { describeCheck, pluginFrame, pluginOf } from '../plugins/provenance.js';
import { CHECK_HELPERS } from './check-helpers.js';
import { docsUrlFor } from './docs-url.js';

export interface CheckRun {
  findings: Finding[];
  undecided: UndecidedCheck[];
  /** Checks that threw; the others ran and their findings are kept. */
  errors: InputError[];
  /** Absence checks left out because the input is neither a whole cluster nor holds an ML platform. */
  outOfScope: string[];
}

export interface RunOptions {
  /** Per-check options from the configuration, keyed by check id. */
  checkOptions?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** Each check gets an inventory that refuses kinds it did not declare; `KFSCAN_STRICT_READS` by default. */
  strictReads?: boolean;
}

/** Runs checks over one inventory and turns their drafts into findings with locations and fingerprints. */
export function runChecks(inventory: Inventory, checks: readonly Check[], options: RunOptions = {}): CheckRun {
  const run: CheckRun = { findings: [], undecided: [], errors: [], outOfScope: [] };
  const inScopeForAbsence = inventory.wholeCluster || mlPlatformPresent(inventory);
  const strict = options.strictReads ?? strictReadsEnabled();

  for (const check of checks) {
    const { meta } = check;
    if (meta.absence) {
      if (!inScopeForAbsence) {
        run.outOfScope.push(meta.id);
        continue;
      }
      const hidden = meta.needs.filter((kind) => inventory.readability(kind).state === 'forbidden');
      if (hidden.length > 0) {
        run.undecided.push({ checkId: meta.id, reason: `could not read ${hidden.join(', ')} (forbidden)`, context: inventory.context });
        continue;
      }
    }
    const seen = new Set<string>();
    try {
      const context = { options: options.checkOptions?.[meta.id] ?? {}, helpers: CHECK_HELPERS };
      const view = strict ? guardReads(inventory, declaredReads(check, describeCheck(check))) : inventory;
      const items = check.run(view, context);
      const shape = iterableProblem(items);
      if (shape) {
        run.errors.push({ message: `${describeCheck(check)} failed: run() ${shape}` });
        continue;
      }
      for (const item of items) {
        if (isUndecided(item)) {
          run.undecided.push({ checkId: meta.id, reason: typeof item.reason === 'string' ? item.reason : 'no reason given', context: inventory.context });
          continue;
        }
        const problem = draftProblem(item);
        if (problem) {
          run.errors.push({ message: `${describeCheck(check)} returned an invalid finding: ${problem}` });
          continue;
        }
        const finding = toFinding(meta, item, inventory.context);
        // The same object may sit in two files; only a repeat of the very same report is dropped.
        const identity = `${finding.fingerprint}\0${finding.message}\0${finding.location?.file ?? ''}\0${finding.location?.line ?? ''}`;
        if (seen.has(identity)) continue;
        seen.add(identity);
        run.findings.push(finding);
      }
    } catch (error) {
      const origin = pluginOf(check);
      run.errors.push({ message: `${describeCheck(check)} failed: ${errorText(error)}${origin ? pluginFrame(error, origin) : ''}` });
    }
  }
  return run;
}

function toFinding(meta: CheckMeta, draft: Draft, context: string | null): Finding {
  const resource = draft.resource;
  const fieldPath = draft.path ?? [];
  const { note, location } = splitNote(resource ? resource.locate(fieldPath) : null);
  const root = resource?.origin.type === 'file' ? resource.origin.root : undefined;
  return {
    checkId: meta.id,
    title: meta.title,
    severity: draft.severity ?? meta.severity,
    category: meta.category,
    resource: resource ? { ...resource.ref } : null,
    location,
    context,
    message: note ? `${draft.message} (${note})` : draft.message,
    remediation: meta.remediation,
    docsUrl: meta.docsUrl ?? docsUrlFor(meta.id),
    ...identity(fingerprint(meta.id, resource, context, draft.key ?? fieldPath.join('.'))),
    related: (draft.related ?? []).map((related) => ({
      resource: { ...related.resource.ref },
      location: splitNote(related.resource.locate(related.path ?? [])).location,
      note: related.note,
    })),
    fieldPath,
    ...(draft.anchor && !resource
      ? { anchor: { resource: { ...draft.anchor.resource.ref }, location: splitNote(draft.anchor.resource.locate(draft.anchor.path ?? [])).location, note: draft.anchor.note } }
      : {}),
    ...(root !== undefined ? { roots: [root] } : {}),
  };
}

/** A location without its note (said in the message instead: reports show locations as they are). */
function splitNote(located: SourceLocation | null): { note: string | undefined; location: SourceLocation | null } {
  if (!located || located.note === undefined) return { note: undefined, location: located };
  const { note, ...location } = located;
  return { note, location };
}

/**
 * Identifies a finding across runs: the check, the object (by group, kind, namespace and name, not by
 * file or line, so moving a manifest keeps it) and the context, plus a discriminator for findings that
 * share an object.
 */
export function fingerprint(checkId: string, resource: Resource | null, context: string | null, key: string): string {
  const object = resource ? [resource.group, resource.ref.kind, resource.ref.namespace ?? '', resource.ref.name] : [];
  // One-shot hash (Node 20.12+): no Hash object per finding, a fleet scan makes thousands.
  return hash('sha256', JSON.stringify([checkId, ...object, context ?? '', key]), 'hex').slice(0, 32);
}

/** A finding's fingerprint and the short id derived from it. */
export function identity(print: string): { fingerprint: string; id: string } {
  return { fingerprint: print, id: findingId(print) };
}

/** Severity (highest first), check id, namespace, name, file, line, then message: stable across runs. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    severityRank(b.severity) - severityRank(a.severity) ||
    compareText(a.checkId, b.checkId) ||
    compareText(a.context ?? '', b.context ?? '') ||
    compareText(a.resource?.namespace ?? '', b.resource?.namespace ?? '') ||
    compareText(a.resource?.name ?? '', b.resource?.name ?? '') ||
    compareText(a.resource?.kind ?? '', b.resource?.kind ?? '') ||
    compareText(a.location?.file ?? '', b.location?.file ?? '') ||
    (a.location?.line ?? 0) - (b.location?.line ?? 0) ||
    (a.location?.column ?? 0) - (b.location?.column ?? 0) ||
    compareText(a.message, b.message)
  );
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Checks are synchronous: a generator or a list. An async function or generator is a mistake worth naming. */
function iterableProblem(items: unknown): string | null {
  if (typeof items === 'object' && items !== null && typeof (items as Iterable<unknown>)[Symbol.iterator] === 'function') return null;
  if (typeof items === 'object' && items !== null && (typeof (items as PromiseLike<unknown>).then === 'function' || Symbol.asyncIterator in items)) {
    return 'returned a promise or an async iterator: checks run synchronously (use function* run, not async)';
  }
  return `must return an iterable of findings (a generator or a list), got ${items === null ? 'null' : typeof items}`;
}

function isUndecided(item: Draft | Undecided): item is Undecided {
  return typeof item === 'object' && item !== null && (item as Undecided).undecided === true;
}

function draftProblem(item: unknown): string | null {
  if (typeof item !== 'object' || item === null) return 'not an object';
  const draft = item as Draft;
  if (typeof draft.message !== 'string' || draft.message === '') return 'message must be a non-empty string';
  if (draft.resource !== null && (typeof draft.resource !== 'object' || typeof draft.resource.locate !== 'function')) {
    return 'resource must be an inventory resource or null';
  }
  if (draft.severity !== undefined && !isSeverity(draft.severity)) return `severity must be one of ${SEVERITIES.join(', ')}`;
  if (draft.path !== undefined && !isFieldPath(draft.path)) return 'path must be a list of strings and numbers';
  if (draft.anchor !== undefined) {
    const { anchor } = draft;
    if (typeof anchor !== 'object' || anchor === null || typeof anchor.resource?.locate !== 'function' || typeof anchor.note !== 'string') return 'anchor must be { resource, path?, note }';
    if (anchor.path !== undefined && !isFieldPath(anchor.path)) return 'anchor.path must be a list of strings and numbers';
  }
  return null;
}

function isFieldPath(path: unknown): path is FieldPath {
  return Array.isArray(path) && path.every((p) => typeof p === 'string' || typeof p === 'number');
}
