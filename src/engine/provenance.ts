import type { Check, ClusterFacts, CoverageGap, Inventory, Provenance, RenderedInput } from '../core/types.js';

export interface ProvenanceParts {
  scannedAt: Date;
  paths?: readonly string[];
  roots?: readonly RenderedInput[];
  clusters?: readonly ClusterFacts[];
  /** Namespaces seen, from `namespacesOf` of each inventory scanned. */
  namespaces: Iterable<string>;
  unreadable?: readonly CoverageGap[];
  checks: readonly Check[];
  outOfScope?: readonly string[];
}

/** The provenance a report states, from what the scan saw; lists are sorted so that reports compare. */
export function provenance(parts: ProvenanceParts): Provenance {
  const notRun = new Set(parts.outOfScope ?? []);
  return {
    scannedAt: validTime(parts.scannedAt).toISOString(),
    inputs: {
      paths: [...(parts.paths ?? [])],
      roots: [...(parts.roots ?? [])].sort((a, b) => compareText(a.path, b.path)),
      clusters: [...(parts.clusters ?? [])],
      namespaces: [...new Set(parts.namespaces)].sort(compareText),
      unreadableKinds: [...new Set((parts.unreadable ?? []).map((gap) => gap.resource))].sort(compareText),
    },
    checks: parts.checks.map((check) => check.meta.id).filter((id) => !notRun.has(id)),
  };
}

/** Every namespace an inventory's objects live in, and the Namespace objects it holds. */
export function namespacesOf(inventory: Inventory): Set<string> {
  const names = new Set<string>();
  for (const resource of inventory.all()) {
    if (resource.ref.namespace !== null) names.add(resource.ref.namespace);
    else if (resource.ref.kind === 'Namespace' && resource.group === '') names.add(resource.ref.name);
  }
  return names;
}

/** A clock that returns nonsense (an invalid date) must not make the report throw. */
function validTime(date: Date): Date {
  return Number.isNaN(date.getTime()) ? new Date(0) : date;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
