import type { Command } from 'commander';
import { terminalSafe } from '../reporters/sanitize.js';
import { addCatalogueOptions, loadCatalogue, printCatalogueErrors, selectFromCatalogue, type CatalogueOptions } from './check-catalogue.js';
import { EXIT } from './exit-codes.js';
import type { CliDependencies } from './io.js';
import { splitList } from './scan-pipeline.js';

interface RbacOptions extends CatalogueOptions {
  checks?: string;
  skipChecks?: string;
  secrets: boolean;
  name?: string;
}

export function registerRbacCommand(program: Command, deps: CliDependencies, setExit: (code: number) => void): void {
  const command = program
    .command('rbac')
    .description('print the minimal read-only ClusterRole that `kfscan cluster` needs, derived from the checks (plugins included)')
    .option('--checks <ids>', 'only what these checks need (comma-separated ids)')
    .option('--skip-checks <ids>', 'leave out what these checks need')
    .option('--no-secrets', 'without the Secrets checks read by name (for scans with --no-secrets)')
    .option('--name <name>', 'name of the ClusterRole', 'kfscan-reader');
  addCatalogueOptions(command).action(async (options: RbacOptions) => {
    const { minimalClusterRole, renderClusterRole } = await import('../live/rbac.js');
    const catalogue = await loadCatalogue(options, deps);
    printCatalogueErrors(catalogue, deps.io);
    const warnings: Array<{ message: string }> = [];
    const checks = selectFromCatalogue(catalogue, splitList(options.checks), splitList(options.skipChecks), warnings);
    for (const warning of warnings) deps.io.stderr.write(`kfscan: warning: ${terminalSafe(warning.message)}\n`);
    const role = minimalClusterRole(checks, { secrets: options.secrets, ...(options.name ? { name: options.name } : {}) });
    deps.io.stdout.write(renderClusterRole(role));
    for (const kind of role.unmapped) deps.io.stderr.write(`kfscan: warning: cannot name the resource of bare kind "${terminalSafe(kind)}" without a cluster; it is not in the role\n`);
    // A role without a failed plugin's kinds would make a later scan with that plugin incomplete.
    setExit(role.unmapped.length > 0 || catalogue.errors.length > 0 ? EXIT.incomplete : EXIT.ok);
  });
}
