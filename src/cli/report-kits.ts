// The remediation kit behind the customer report's plan: built in memory exactly as `kfscan remediate`
// builds it (and verified the same way, by rescanning with it applied), never written; the report names its
// files and the command that writes them.
import { trimEnd } from '../core/text-scan.js';
import type { Check, Finding, Inventory } from '../core/types.js';
import type { SuppressionOptions } from '../engine/suppress.js';
import { buildKit } from '../remediate/kit.js';
import { DEFAULT_OPTIONS } from '../remediate/types.js';
import type { KitPlan } from '../reporters/report-context.js';

export const KIT_DIR = 'kfscan-kit';

export function kitPlan(
  inventory: Inventory,
  findings: readonly Finding[],
  { checks, suppression, scope, command }: { checks: readonly Check[]; suppression: SuppressionOptions; scope: string | null; command: string },
): KitPlan {
  const kit = buildKit(inventory, findings, DEFAULT_OPTIONS, { checks, suppression });
  const documents = kit.documents.map((document) => document.path);
  return {
    scope,
    command,
    fixes: kit.fixes.map((fix) => ({ title: fix.title, files: fix.manifests.map((m) => m.path), clears: fix.addresses.map((f) => f.fingerprint) })),
    steps: kit.manual
      .filter((step) => !step.unresolved)
      .map((step) => ({
        title: step.title,
        files: documents.filter((file) => step.text.some((paragraph) => paragraph.includes(file))),
        clears: step.findings.map((f) => f.fingerprint),
      })),
  };
}

/** A view's kit folder (`kfscan remediate` writes one per view): its name, made safe as one path segment. */
export function kitFolder(name: string | null): string {
  const safe = trimEnd((name ?? 'default').replace(/[^\w.-]+/g, '-').replace(/^[-.]+/, ''), '-');
  return safe === '' ? 'view' : safe;
}

/** A word for a shell command line: as is when plain, else single-quoted. */
export function shellWord(word: string): string {
  return /^[\w./:@+=-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The kit `kfscan remediate` writes for an offline scan: one, or one folder per view of alternative overlays. */
export function manifestKits(
  paths: readonly string[],
  wholeCluster: boolean,
  scan: { inventory: Inventory; findings: readonly Finding[]; views: ReadonlyArray<{ name: string | null; inventory: Inventory }> },
  prepared: { checks: readonly Check[]; checkOptions: Readonly<Record<string, Readonly<Record<string, unknown>>>>; suppression: SuppressionOptions },
  analyse: (inventory: Inventory) => readonly Finding[],
  folderOf: (view: string | null) => string,
): KitPlan[] {
  const command = ['kfscan', 'remediate', ...paths.map(shellWord), ...(wholeCluster ? ['--whole-cluster'] : []), '--out-dir', KIT_DIR].join(' ');
  const options = { checks: prepared.checks, suppression: prepared.suppression, command };
  if (scan.views.length <= 1) return [kitPlan(scan.inventory, scan.findings, { ...options, scope: null })];
  return scan.views.map((view) => {
    const folder = folderOf(view.name);
    const plan = kitPlan(view.inventory, analyse(view.inventory), { ...options, scope: `view ${view.name ?? 'default'}` });
    const inFolder = (entry: { title: string; files: string[]; clears: string[] }) => ({ ...entry, files: entry.files.map((file) => `${folder}/${file}`) });
    return { ...plan, fixes: plan.fixes.map(inFolder), steps: plan.steps.map(inFolder) };
  });
}
