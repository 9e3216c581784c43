import { Command, CommanderError } from 'commander';
import { toolVersion } from '../core/version.js';
import { ConfigError } from '../config/load.js';
import { UnknownCheckError } from '../engine/select.js';
import { registerCatalogueCommands } from './catalogue-commands.js';
import { EXIT } from './exit-codes.js';
import { UsageError, type CliDependencies } from './io.js';
import { registerClusterCommand } from './cluster-command.js';
import { registerDiffCommand } from './diff-command.js';
import { registerRbacCommand } from './rbac-command.js';
import { registerRemediateCommand } from './remediate-command.js';
import { registerScanCommand } from './scan-command.js';
import { registerServeCommand } from './serve-command.js';
import { terminalSafe, terminalSafeLines } from '../reporters/sanitize.js';

/**
 * Runs the CLI and returns its exit code. Never throws: every failure becomes one clear line on stderr,
 * with the stack only when KFSCAN_DEBUG is set.
 */
export async function main(argv: readonly string[], deps: CliDependencies): Promise<number> {
  const { io } = deps;
  let exitCode: number = EXIT.ok;
  const program = new Command('kfscan')
    .description('Audit Kubernetes manifests and clusters for the Kubeflow cryptomining attack path')
    .version(toolVersion(), '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      // Commander quotes the arguments it rejects.
      writeErr: (text) => io.stderr.write(terminalSafeLines(text)),
    })
    .exitOverride();

  registerScanCommand(program, deps, (code) => (exitCode = code));
  registerCatalogueCommands(program, deps, (code) => (exitCode = code));
  registerClusterCommand(program, deps, (code) => (exitCode = code));
  registerRbacCommand(program, deps, (code) => (exitCode = code));
  registerRemediateCommand(program, deps, (code) => (exitCode = code));
  registerDiffCommand(program, deps, (code) => (exitCode = code));
  registerServeCommand(program, deps, (code) => (exitCode = code));

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and --version are "errors" to commander; they are successes to the user.
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return EXIT.ok;
      return EXIT.usage;
    }
    if (error instanceof UsageError || error instanceof UnknownCheckError || error instanceof ConfigError) {
      io.stderr.write(`kfscan: ${terminalSafe(error.message)}\n`);
      return EXIT.usage;
    }
    io.stderr.write(`kfscan: unexpected error: ${terminalSafe(error instanceof Error ? error.message : String(error))}\n`);
    if (io.env['KFSCAN_DEBUG']) io.stderr.write(`${(error as Error)?.stack ?? ''}\n`);
    return EXIT.usage;
  }
}
