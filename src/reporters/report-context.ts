// What every reporter receives. Apart from index.ts, which loads the reporters, so that they can name these
// types without importing their own loader.
import type { Engagement, ScanResult } from '../core/types.js';
import type { ReportComparison } from '../diff/compare.js';
import type { AttackPathMember } from './attack-path.js';

/** What the remediation kit (`kfscan remediate`) would write for the scan: the customer report's plan points at it. */
export interface KitPlan {
  /** The view or context the kit is for; `null` when the scan has one. */
  scope: string | null;
  /** The command that writes the kit. */
  command: string;
  /** Fixes with their files (relative to the kit's directory) and the fingerprints of the findings they clear, verified by rescanning. */
  fixes: Array<{ title: string; files: string[]; clears: string[] }>;
  /** Steps for people that the kit describes in its README, with the kit files they use. */
  steps: Array<{ title: string; files: string[]; clears: string[] }>;
}

/** One context's last scan, as the OpenMetrics report states it. */
export interface ScanRun {
  /** Kube context; `null` for an offline scan. */
  context: string | null;
  durationSeconds: number;
  /** The context was read and analysed: its findings in the result are current. */
  succeeded: boolean;
  /** When a scan of the context last completed (this one, or an earlier one of `kfscan serve`); `null` when none has. */
  lastSuccess: Date | null;
  /** `kfscan serve`: scans of the context since it started, and how many did not complete. */
  attempts?: { total: number; failed: number };
}

export interface ReportContext {
  version: string;
  /** ANSI colours: only on a TTY and never with NO_COLOR. */
  color: boolean;
  /** Terminal width for the table. */
  width: number;
  /** When the report was made (the HTML report shows it); injected so that reporters stay pure. */
  generatedAt?: Date;
  /** List suppressed findings (table, markdown); JSON and SARIF always carry them. */
  showSuppressed?: boolean;
  /** The steps of the attack path each built-in check decides (the HTML report's picture), from the registry. */
  attackPath?: readonly AttackPathMember[];
  /** Title, customer and assessor of the engagement; text from the command line or configuration, shown as text. */
  engagement?: Engagement;
  /** The remediation kit, per view or context (HTML and PDF reports). */
  kits?: readonly KitPlan[];
  /** Check pages (checks/<id>/README.md, Markdown) bundled into the HTML report, by check id. */
  checkPages?: Readonly<Record<string, string>>;
  /** `--compare OLD.json`: what changed since an earlier report (HTML and PDF reports). */
  comparison?: ReportComparison;
  /** How long each context's scan took and when one last completed (OpenMetrics); absent in results made by hand. */
  scanRuns?: readonly ScanRun[];
}

/** A reporter is a pure function of the results: no I/O, no imports of checks. */
export type Reporter = (result: ScanResult, context: ReportContext) => string;
