import type { Finding, InputError, SuppressedFinding, UndecidedCheck } from '../core/types.js';
import type { Analysis } from './analyse.js';
import { compareFindings } from './run.js';

/** A view as the engine needs it: its name and the roots (relative to their input) it holds. */
export interface ViewFacts {
  name: string | null;
  roots: readonly string[];
  /** The roots that set the view apart from the others. */
  distinct: readonly string[];
}

/**
 * One analysis from the analyses of several views. A finding that several views share (an object of a
 * root that is in all of them, the same absence everywhere) is reported once. A finding that holds only in
 * some of the views that hold its object (or, for a cluster-level finding, in only some views) says which
 * in its message, and names the roots that make those views what they are.
 */
export function mergeViews(views: readonly ViewFacts[], analyses: readonly Analysis[]): Analysis {
  if (analyses.length === 1) return analyses[0]!;
  return {
    findings: mergeFindings(views, analyses.map((analysis) => analysis.findings)),
    suppressed: mergeFindings(views, analyses.map((analysis) => analysis.suppressed)),
    undecided: unique(analyses.flatMap((analysis) => analysis.undecided), (item: UndecidedCheck) => `${item.checkId}\0${item.reason}\0${item.context ?? ''}`),
    errors: unique(analyses.flatMap((analysis) => analysis.errors), problemKey),
    warnings: unique(analyses.flatMap((analysis) => analysis.warnings), problemKey),
    // Left out only where no view could run it.
    outOfScope: analyses[0]!.outOfScope.filter((id) => analyses.every((analysis) => analysis.outOfScope.includes(id))),
  };
}

function mergeFindings<T extends Finding | SuppressedFinding>(views: readonly ViewFacts[], perView: ReadonlyArray<readonly T[]>): T[] {
  const merged = new Map<string, { finding: T; views: Set<number> }>();
  perView.forEach((findings, index) => {
    for (const finding of findings) {
      const key = [finding.checkId, finding.fingerprint, finding.severity, finding.message, finding.location?.file ?? '', finding.location?.line ?? '', finding.location?.column ?? ''].join('\0');
      const entry = merged.get(key);
      if (!entry) {
        merged.set(key, { finding, views: new Set([index]) });
        continue;
      }
      entry.views.add(index);
      // The same object from several roots (a base that alternative overlays leave as it is).
      const roots = new Set([...(entry.finding.roots ?? []), ...(finding.roots ?? [])]);
      if (roots.size > 0) entry.finding = { ...entry.finding, roots: [...roots].sort() };
    }
  });
  const out: T[] = [];
  for (const { finding, views: seenIn } of merged.values()) {
    const own = finding.roots ?? [];
    const holding = views.map((view, index) => ({ view, index })).filter(({ view }) => own.length === 0 || own.some((root) => view.roots.includes(root)));
    if (seenIn.size >= holding.length) {
      out.push(finding);
      continue;
    }
    const names = holding.filter(({ index }) => seenIn.has(index)).map(({ view }) => view.name ?? 'default');
    const distinct = holding.filter(({ index }) => seenIn.has(index)).flatMap(({ view }) => view.distinct);
    out.push({ ...finding, message: `${finding.message} [view ${names.join(', ')}]`, roots: [...new Set([...own, ...distinct])].sort() });
  }
  return out.sort(compareFindings);
}

function problemKey(problem: InputError): string {
  return JSON.stringify([problem.file, problem.line, problem.column, problem.context, problem.resource, problem.message]);
}

function unique<T>(items: readonly T[], key: (item: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const k = key(item);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
