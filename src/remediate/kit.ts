import { unionOfKinds } from '../core/kinds.js';
import { describeObject } from '../core/object-ref.js';
import type { Check, Finding, Inventory } from '../core/types.js';
import { declaredReads, guardReads, strictReadsEnabled } from '../inventory/read-guard.js';
import { AREAS, type Fix, type Kit, type KitContribution, type ManualStep, type RemediationOptions } from './types.js';
import { rescan, type Rescan } from './verify.js';

/** A check with its share of the kit (checks/<id>/remediation.ts), as the registry lists it. */
export interface RemediatingCheck extends Check {
  readonly remediation?: readonly KitContribution[];
}

/**
 * The remediation kit for the findings of one inventory. Every fix is verified the way a reviewer would:
 * the kit is applied to the scanned objects and they are scanned again with the same checks. A fix keeps
 * only the findings that are gone afterwards; a fix that clears none, or that makes a new finding
 * appear, is left out and its findings are explained instead.
 */
export function buildKit(inventory: Inventory, findings: readonly Finding[], options: RemediationOptions, verification: Rescan<RemediatingCheck>): Kit {
  const outputs = contributions(verification.checks).map(({ contribution, checks }) => {
    const ids = new Set(checks.map((check) => check.meta.id));
    const own = findings.filter((finding) => ids.has(finding.checkId));
    return contribution.generate({ inventory: readsOf(inventory, checks), findings, options, own });
  });
  let fixes = outputs.flatMap((output) => output.fixes);
  const documents = outputs.flatMap((output) => output.documents);
  const manual: ManualStep[] = outputs.flatMap((output) => output.manual);
  const dropped: Kit['verification']['dropped'] = [];
  const before = new Set(findings.map((finding) => finding.fingerprint));
  // Status findings about the objects a not-provable fix changes are what the old status says, not what the fix does.
  const awaited = (finding: Finding): boolean => fixes.some((fix) => fix.provableOffline === false && awaitsCluster(fix, finding));
  const isNew = (finding: Finding): boolean => !before.has(finding.fingerprint) && !awaited(finding);

  let after = rescan(inventory, fixes.flatMap((fix) => fix.manifests), verification);
  if (after.some(isNew)) {
    // Find the fixes that bring new findings on their own and leave them out.
    const kept: Fix[] = [];
    for (const fix of fixes) {
      const appeared = rescan(inventory, fix.manifests, verification).filter(isNew);
      if (appeared.length === 0) kept.push(fix);
      else dropped.push({ fix, reason: `applying it makes kfscan report ${appeared.map(describeFinding).join('; ')}` });
    }
    if (kept.length !== fixes.length) {
      fixes = kept;
      after = rescan(inventory, fixes.flatMap((fix) => fix.manifests), verification);
    }
  }
  const remaining = new Set(after.map((finding) => finding.fingerprint));
  const effective: Fix[] = [];
  for (const fix of fixes) {
    fix.addresses = fix.candidates.filter((finding) => !remaining.has(finding.fingerprint));
    if (fix.provableOffline === false) {
      fix.unproven = fix.candidates.filter((finding) => remaining.has(finding.fingerprint));
      effective.push(fix);
    } else if (fix.addresses.length > 0) effective.push(fix);
    else dropped.push({ fix, reason: 'applying it clears none of the findings it was written for' });
  }
  if (effective.length !== fixes.length) after = rescan(inventory, effective.flatMap((fix) => fix.manifests), verification);
  for (const fix of effective) {
    if (fix.provableOffline === false) continue;
    const stillThere = fix.candidates.filter((finding) => !fix.addresses.includes(finding));
    if (stillThere.length > 0) {
      manual.push({ title: `Left after "${fix.title}"`, findings: stillThere, unresolved: true, text: ['The fix does not clear these findings (a rescan with the kit applied still reports them); see each check\'s remediation.'] });
    }
  }
  for (const { fix, reason } of dropped) {
    manual.push({
      title: `Not included: ${fix.title}`,
      unresolved: true,
      findings: fix.candidates,
      text: [`kfscan wrote this fix and left it out because ${reason}. ${fix.explanation[0] ?? ''}`],
    });
  }
  return {
    fixes: effective,
    documents,
    manual,
    verification: { before: findings.length, after: after.length, appeared: after.filter(isNew), dropped },
  };
}

/** Each contribution once, with the checks that list it, in the order of the kit's areas. */
function contributions(checks: readonly RemediatingCheck[]): Array<{ contribution: KitContribution; checks: RemediatingCheck[] }> {
  const found = new Map<KitContribution, RemediatingCheck[]>();
  for (const check of checks) for (const contribution of check.remediation ?? []) found.set(contribution, [...(found.get(contribution) ?? []), check]);
  return [...found]
    .map(([contribution, listing]) => ({ contribution, checks: listing }))
    .sort((a, b) => AREAS.indexOf(a.contribution.area) - AREAS.indexOf(b.contribution.area) || a.contribution.order - b.contribution.order);
}

/** A contribution reads what its checks read: with strict reads, nothing else. */
function readsOf(inventory: Inventory, checks: readonly Check[]): Inventory {
  if (!strictReadsEnabled()) return inventory;
  const reads = checks.map((check) => declaredReads(check));
  return guardReads(inventory, {
    who: `the remediation of ${checks.map((check) => check.meta.id).join(', ')}`,
    kinds: unionOfKinds(...reads.map((read) => read.kinds)),
    secrets: reads.some((read) => read.secrets),
  });
}

/** A status finding (field path under `status`) of one of the fix's checks about an object it changes. */
function awaitsCluster(fix: Fix, finding: Finding): boolean {
  if (finding.fieldPath?.[0] !== 'status' || !finding.resource) return false;
  const changed = fix.manifests.flatMap((manifest) => (manifest.target ? [manifest.target] : []));
  const checks = new Set(fix.candidates.map((candidate) => candidate.checkId));
  return checks.has(finding.checkId) && changed.some((ref) => ref.kind === finding.resource!.kind && ref.name === finding.resource!.name && (ref.namespace ?? null) === (finding.resource!.namespace ?? null));
}

function describeFinding(finding: Finding): string {
  const resource = finding.resource ? ` on ${describeObject(finding.resource)}` : '';
  return `${finding.checkId}${resource}`;
}
