// What every reporter receives. Apart from index.ts, which loads the reporters, so that they can name these
// types without importing their own loader.
import type { ScanResult, Severity } from '../core/types.js';
import type { AttackPathMember } from './attack-path.js';

export interface ReportContext {
  version: string;
  /** ANSI colours: only on a TTY and never with NO_COLOR. */
  color: boolean;
  /** Display columns the table may use: the terminal's, `$COLUMNS` or 120 when piped; at least 80. */
  width: number;
  /** `--wide`: the table adds the finding id and the related objects. */
  wide?: boolean;
  /** `--fail-on`: CI formats mark findings at or above it as failures (default `high`). */
  failOn?: Severity | 'none';
  /** When the report was made (the HTML report shows it); injected so that reporters stay pure. */
  generatedAt?: Date;
  /** List suppressed findings (table, markdown); JSON and SARIF always carry them. */
  showSuppressed?: boolean;
  /**
   * The pages of built-in checks by id (their README without title and metadata table), for reports that
   * carry the whole help (SARIF rules); read by the CLI so that reporters stay pure.
   */
  pages?: ReadonlyMap<string, string>;
  /** The steps of the attack path each built-in check decides (the HTML report's picture), from the registry. */
  attackPath?: readonly AttackPathMember[];
}

/** A reporter is a pure function of the results: no I/O, no imports of checks. */
export type Reporter = (result: ScanResult, context: ReportContext) => string;
