// `kfscan cluster --probe`: after the static analysis of a context, plain GET requests to the entry
// points the exposure and authentication checks reported, to tell "looks exposed" from "answered
// without a login". Findings keep their identity (fingerprint); they gain evidence, a sentence in their
// message and, where a Kubeflow page or API answered without login, the severity that deserves.
import { describeResource as describe } from '../core/object-ref.js';
import pLimit from 'p-limit';
import { groupOf } from '../core/kinds.js';
import type { CheckMeta, Evidence, Finding, Inventory, ObjectRef, ProbeOutcome, Resource, Severity } from '../core/types.js';
import { docsUrlFor } from '../engine/docs-url.js';
import { fingerprint, identity } from '../engine/run.js';
import { externalReaches, serviceEntries, type Reach } from '../kube/entry-graph.js';
import { classifyApiGateway, ingressApiGateways } from '../kube/gateway-api.js';
import { kubeflowUiOf } from '../kube/kubeflow-uis.js';
import type { Reachability } from '../kube/reachability.js';
import { probeEntry } from './entry-probe.js';
import type { ProbedCheck, ProbeRole } from './roles.js';
import { probeTargets } from './targets.js';
import { OVERALL_TIMEOUTS, PROBE_CONCURRENCY } from './limits.js';

/**
 * The roles of the selected checks whose findings are about entry points (each check declares its own),
 * and the check a confirmed open dashboard is, at heart, a finding of: the one whose role is `auth`. An
 * internal load balancer stays `info`, as the contract wants, whoever answered from inside.
 */
export function probeRoles(checks: readonly ProbedCheck[]): { roles: ReadonlyMap<string, ProbeRole>; authCheck: CheckMeta | null } {
  const roles = new Map<string, ProbeRole>();
  for (const check of checks) if (check.probe) roles.set(check.meta.id, check.probe);
  return { roles, authCheck: checks.find((check) => check.probe === 'auth')?.meta ?? null };
}

export interface ProbeOptions {
  /** Per request, in milliseconds. */
  timeoutMs: number;
  /** For the whole probe of one context; `timeoutMs * OVERALL_TIMEOUTS` by default. */
  overallMs?: number;
  concurrency?: number;
  userAgent: string;
  now?: () => Date;
  /** `--probe-allow-local`: loopback and link-local addresses may be probed; cloud metadata never is. */
  allowLocal?: boolean;
  /** Name resolution, for tests; the system's by default. */
  resolve?: (name: string) => Promise<string[]>;
}

export interface ProbeStats {
  entries: number;
  requests: number;
  outcomes: Partial<Record<ProbeOutcome, number>>;
}

interface EntryPointInfo {
  resource: Resource;
  exposure: Reachability;
  reaches: Reach[];
}

export interface ProbeInput {
  /** The reported findings of one context: their entry points are probed. */
  findings: readonly Finding[];
  /** Findings a suppression set apart: not probed, but what they cover is not reported again. */
  suppressed?: readonly Finding[];
  /** The probe role of each selected check whose findings are about entry points, by id. */
  roles: ReadonlyMap<string, ProbeRole>;
  /** The selected check whose role is `auth`, or null when none was selected. */
  authCheck?: CheckMeta | null;
}

export interface ProbeResult {
  /** The input findings, with evidence where they concern a probed entry point. */
  findings: Finding[];
  /**
   * New findings of the `auth` check for entry points where Kubeflow answered without login although
   * no such finding covered them: the static analysis believed the authentication it saw. Not yet
   * through suppressions.
   */
  added: Finding[];
  stats: ProbeStats;
}

/** Probes the entry points behind the findings and returns the findings with what was seen. */
export async function probeFindings(inventory: Inventory, input: ProbeInput, options: ProbeOptions): Promise<ProbeResult> {
  const { findings } = input;
  const index = entryPoints(inventory);
  const entriesByFinding = new Map<Finding, EntryPointInfo[]>();
  const toProbe = new Map<string, EntryPointInfo>();
  for (const finding of findings) {
    if (!input.roles.has(finding.checkId)) continue;
    const entries = entriesOf(finding, index, inventory);
    if (entries.length === 0) continue;
    entriesByFinding.set(finding, entries);
    for (const entry of entries) toProbe.set(resourceKey(entry.resource), entry);
  }

  const now = options.now ?? (() => new Date());
  const deadline = now().getTime() + (options.overallMs ?? options.timeoutMs * OVERALL_TIMEOUTS);
  const limit = pLimit(options.concurrency ?? PROBE_CONCURRENCY);
  const keys = [...toProbe.keys()].sort();
  const results = new Map<string, Evidence>(
    await Promise.all(
      keys.map((key) =>
        limit(async (): Promise<[string, Evidence]> => {
          const entry = toProbe.get(key)!;
          const targets = probeTargets(inventory, entry.resource, entry.reaches);
          return [key, await probeEntry({ ...entry.resource.ref }, describe(entry.resource), targets, {
            timeoutMs: options.timeoutMs,
            deadline,
            userAgent: options.userAgent,
            now,
            policy: { allowLocal: options.allowLocal === true },
            ...(options.resolve ? { resolve: options.resolve } : {}),
          })];
        }),
      ),
    ),
  );

  const stats: ProbeStats = { entries: results.size, requests: 0, outcomes: {} };
  for (const evidence of results.values()) {
    stats.requests += evidence.requests.length;
    stats.outcomes[evidence.outcome] = (stats.outcomes[evidence.outcome] ?? 0) + 1;
  }
  const updated = findings.map((finding) => {
    const entries = entriesByFinding.get(finding);
    if (!entries) return finding;
    const evidence = entries.map((entry) => results.get(resourceKey(entry.resource))!).sort((a, b) => OUTCOME_RANK[a.outcome] - OUTCOME_RANK[b.outcome]);
    const exposureOf = (ref: ObjectRef): Reachability | undefined => index.get(refKey(ref))?.exposure;
    return withEvidence(finding, evidence, exposureOf, input.roles.get(finding.checkId));
  });
  return { findings: updated, added: authMissedByAnalysis(inventory, input, index, updated, results), stats };
}

/**
 * Entry points to Kubeflow that answered without login but that no finding of the `auth` check (reported
 * or suppressed) covers: the cluster's objects showed authentication that does not hold on this path (a
 * policy that does not match, a filter in the wrong place). The probe's observation becomes that check's
 * finding, on the entry point.
 */
function authMissedByAnalysis(inventory: Inventory, input: ProbeInput, index: Map<string, EntryPointInfo>, probed: readonly Finding[], results: Map<string, Evidence>): Finding[] {
  const meta = input.authCheck;
  if (!meta) return [];
  const covered = new Set<string>();
  for (const finding of [...probed, ...(input.suppressed ?? [])]) {
    if (finding.checkId !== meta.id) continue;
    for (const entry of entriesOf(finding, index, inventory)) covered.add(resourceKey(entry.resource));
  }
  const added: Finding[] = [];
  const seen = new Set<string>();
  for (const finding of probed) {
    if (input.roles.get(finding.checkId) !== 'exposure' || finding.checkId === meta.id) continue;
    for (const evidence of finding.evidence ?? []) {
      const key = refKey(evidence.entry);
      const entry = index.get(key);
      if (!entry || evidence.outcome !== 'unauthenticated' || covered.has(key) || seen.has(key)) continue;
      seen.add(key);
      const label = entry.reaches[0]?.entry.label ?? describe(entry.resource);
      added.push({
        checkId: meta.id,
        title: meta.title,
        severity: 'critical',
        category: meta.category,
        resource: { ...entry.resource.ref },
        location: entry.resource.locate(entry.exposure.path),
        context: inventory.context,
        message: `Kubeflow answered without login through ${label}, which the analysis of the cluster's objects had not reported as unauthenticated; probe: ${evidence.summary}`,
        remediation: meta.remediation,
        docsUrl: meta.docsUrl ?? docsUrlFor(meta.id),
        ...identity(fingerprint(meta.id, entry.resource, inventory.context, 'probe')),
        related: [],
        fieldPath: entry.exposure.path,
        evidence: [results.get(key)!],
      });
    }
  }
  return added;
}

const OUTCOME_RANK: Readonly<Record<ProbeOutcome, number>> = {
  unauthenticated: 0,
  'login-required': 1,
  answered: 2,
  unreachable: 3,
  'no-address': 4,
  'not-probed': 5,
};

function withEvidence(finding: Finding, evidence: Evidence[], exposureOf: (ref: ObjectRef) => Reachability | undefined, effect: ProbeRole | undefined): Finding {
  const decisive = evidence[0]!;
  const more = evidence.length > 1 ? ` (${evidence.length} entry points probed; the evidence lists each)` : '';
  let severity: Severity = finding.severity;
  if (decisive.outcome === 'unauthenticated') {
    const reach = exposureOf(decisive.entry)?.reach;
    if (effect === 'auth' || (effect === 'exposure' && reach === 'public')) severity = 'critical';
  }
  return { ...finding, severity, message: `${finding.message}; probe: ${decisive.summary}${more}`, evidence };
}

/** Every entry point of the exposure graph, with how far the cluster's objects say it reaches. */
function entryPoints(inventory: Inventory): Map<string, EntryPointInfo> {
  const index = new Map<string, EntryPointInfo>();
  const add = (resource: Resource, exposure: Reachability, reach?: Reach): void => {
    const key = resourceKey(resource);
    const info = index.get(key) ?? { resource, exposure, reaches: [] };
    if (reach) info.reaches.push(reach);
    index.set(key, info);
  };
  for (const reach of externalReaches(inventory)) add(reach.entry.resource, reach.entry.exposure, reach);
  for (const entry of serviceEntries(inventory)) add(entry.resource, entry.exposure);
  for (const gateway of ingressApiGateways(inventory)) {
    const exposure = classifyApiGateway(inventory, gateway);
    if (exposure) add(gateway, exposure);
  }
  return index;
}

/**
 * The entry points a finding is about: its own object when that is one; else (a finding on Kubeflow's
 * gateway or its authentication) the entry points whose paths to a Kubeflow UI pass a Gateway the
 * finding names.
 */
function entriesOf(finding: Finding, index: Map<string, EntryPointInfo>, inventory: Inventory): EntryPointInfo[] {
  if (!finding.resource) return [];
  const own = index.get(refKey(finding.resource));
  if (own) return [own];
  const gateways = new Set([finding.resource, ...finding.related.map((r) => r.resource)].filter((ref) => ref.kind === 'Gateway').map(refKey));
  if (gateways.size === 0) return [];
  const found = new Map<string, EntryPointInfo>();
  for (const reach of externalReaches(inventory)) {
    if (!kubeflowUiOf(reach.target.name, reach.target.pods)) continue;
    if (!reach.hops.some((hop) => hop.resource !== null && gateways.has(resourceKey(hop.resource)))) continue;
    const info = index.get(resourceKey(reach.entry.resource));
    if (info) found.set(resourceKey(info.resource), info);
  }
  return [...found.values()];
}

function resourceKey(resource: Resource): string {
  return [resource.group, resource.ref.kind, resource.ref.namespace ?? '', resource.ref.name].join('\0');
}

function refKey(ref: ObjectRef): string {
  return [groupOf(ref.apiVersion), ref.kind, ref.namespace ?? '', ref.name].join('\0');
}
