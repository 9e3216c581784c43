import type { Command } from 'commander';
import { selectChecks } from '../engine/select.js';
import { terminalSafe } from '../reporters/sanitize.js';
import { EXIT } from './exit-codes.js';
import type { CliDependencies } from './main.js';
import { splitList } from './scan-command.js';

interface RbacOptions {
  checks?: string;
  skipChecks?: string;
  secrets: boolean;
  name?: string;
}

export function registerRbacCommand(program: Command, deps: CliDependencies, setExit: (code: number) => void): void {
  program
    .command('rbac')
    .description('print the minimal read-only ClusterRole that `kfscan cluster` needs, derived from the checks')
    .option('--checks <ids>', 'only what these checks need (comma-separated ids)')
    .option('--skip-checks <ids>', 'leave out what these checks need')
    .option('--no-secrets', 'without the Secrets checks read by name (for scans with --no-secrets)')
    .option('--name <name>', 'name of the ClusterRole', 'kfscan-reader')
    .action(async (options: RbacOptions) => {
      const { minimalClusterRole, renderClusterRole } = await import('../live/rbac.js');
      const checks = selectChecks(deps.checks, splitList(options.checks), splitList(options.skipChecks));
      const role = minimalClusterRole(checks, { secrets: options.secrets, ...(options.name ? { name: options.name } : {}) });
      deps.io.stdout.write(renderClusterRole(role));
      for (const kind of role.unmapped) deps.io.stderr.write(`kfscan: warning: cannot name the resource of bare kind "${terminalSafe(kind)}" without a cluster; it is not in the role\n`);
      setExit(role.unmapped.length > 0 ? EXIT.incomplete : EXIT.ok);
    });
}
