import { Option, type Command } from 'commander';
import { atLeast, SEVERITIES } from '../core/severity.js';
import { EXIT, type FailOn } from './exit-codes.js';
import { UsageError, type CliDependencies } from './io.js';

interface DiffOptions {
  format: string;
  failOn: FailOn;
}

/** `kfscan diff OLD.json NEW.json`: a re-audit, what is new, fixed and unchanged between two JSON reports. */
export function registerDiffCommand(program: Command, deps: CliDependencies, setExit: (code: number) => void): void {
  program
    .command('diff')
    .description('compare two kfscan JSON reports by finding id: new, fixed and unchanged findings')
    .argument('<old>', 'the earlier JSON report (--format json or --report json=FILE)')
    .argument('<new>', 'the later JSON report')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'markdown', 'json']).default('table'))
    .addOption(new Option('--fail-on <severity>', 'exit 1 when a new finding is at or above this severity (none: never)').choices([...SEVERITIES, 'none']).default('high'))
    .action(async (oldFile: string, newFile: string, options: DiffOptions) => {
      const [{ readReportFile, ReportFileError }, { compareReports }, { comparisonReport }] = await Promise.all([
        import('../diff/report-file.js'),
        import('../diff/compare.js'),
        import('../reporters/comparison.js'),
      ]);
      const read = async (file: string) => {
        try {
          return await readReportFile(file, deps.io.cwd);
        } catch (error) {
          if (error instanceof ReportFileError) throw new UsageError(error.message);
          throw error;
        }
      };
      const comparison = compareReports(await read(oldFile), await read(newFile));
      deps.io.stdout.write(comparisonReport(comparison, options.format as 'table' | 'markdown' | 'json', deps.io.stdout.columns ?? 160));
      const failing = options.failOn !== 'none' && comparison.added.some((finding) => atLeast(finding.severity, options.failOn as Exclude<FailOn, 'none'>));
      setExit(failing ? EXIT.findings : EXIT.ok);
    });
}
