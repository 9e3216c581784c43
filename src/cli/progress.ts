import type { ContextOutcome, ContextProgress } from '../live/scan-cluster.js';
import type { ReadProgress } from '../live/read-context.js';
import { terminalSafe } from '../reporters/sanitize.js';
import { useColor, type CliIo } from './io.js';
import { redactCredentials } from '../core/credentials.js';

export type ProgressFactory = (context: string) => ContextProgress;

/**
 * A spinner per context on stderr while it is read, only where a person watches: on a terminal, outside
 * CI, with a capable TERM. Elsewhere nothing but a failed context's one line, so logs and pipes stay clean.
 */
export async function createProgress(io: CliIo, contexts = 1): Promise<ProgressFactory> {
  if (!interactive(io)) {
    return () => ({
      update: () => {},
      done: (outcome) => {
        if (outcome.error) io.stderr.write(`kfscan: error: ${terminalSafe(redactCredentials(`${outcome.context}: ${outcome.error}`))}\n`);
      },
    });
  }
  const { default: ora } = await import('ora');
  const marks = outcomeMarks(useColor(io, true, io.stderr));
  if (contexts > 1) return fleetProgress(ora, io, contexts, marks);
  return (unsafeContext) => {
    // Context names and server errors come from a kubeconfig and a server: no escapes of theirs reach the terminal.
    const context = terminalSafe(unsafeContext);
    const spinner = ora({ text: `${context}: connecting`, stream: io.stderr, isEnabled: true, discardStdin: false, color: marks.spinnerColor }).start();
    return {
      update: (progress) => {
        spinner.text = `${context}: ${describe(progress)}`;
      },
      done: (outcome) => {
        spinner.stopAndPersist(persisted(context, outcome, marks));
      },
    };
  };
}

type Ora = (typeof import('ora'))['default'];

/**
 * Contexts scanned at once share one spinner (two would overwrite each other's line): it counts the
 * contexts done and names those being read; each context's result is a line of its own above it.
 */
function fleetProgress(ora: Ora, io: CliIo, total: number, marks: OutcomeMarks): ProgressFactory {
  const reading = new Set<string>();
  let done = 0;
  const spinner = ora({ stream: io.stderr, isEnabled: true, discardStdin: false, color: marks.spinnerColor });
  const text = (): string => {
    const names = [...reading];
    const shown = names.slice(0, 3).join(', ') + (names.length > 3 ? ` and ${names.length - 3} more` : '');
    return `${done}/${total} contexts scanned${shown ? `; reading ${shown}` : ''}`;
  };
  return (unsafeContext) => {
    const context = terminalSafe(unsafeContext);
    reading.add(context);
    if (!spinner.isSpinning) spinner.start(text());
    else spinner.text = text();
    return {
      update: () => {},
      done: (outcome) => {
        reading.delete(context);
        done++;
        spinner.stopAndPersist(persisted(context, outcome, marks));
        if (done < total) spinner.start(text());
      },
    };
  };
}

interface OutcomeMarks {
  readonly spinnerColor: 'cyan' | false;
  readonly succeeded: string;
  readonly partial: string;
  readonly failed: string;
}

/**
 * ora's own symbols take their colours from the process's environment and stdout; kfscan decides from the
 * environment and stream it was given, as the table does, so NO_COLOR and FORCE_COLOR mean the same everywhere.
 */
function outcomeMarks(color: boolean): OutcomeMarks {
  const paint = (code: number, symbol: string): string => (color ? `\u001b[${code}m${symbol}\u001b[39m` : symbol);
  return { spinnerColor: color ? 'cyan' : false, succeeded: paint(32, '✔'), partial: paint(33, '⚠'), failed: paint(31, '✖') };
}

function persisted(context: string, outcome: ContextOutcome, marks: OutcomeMarks): { symbol: string; text: string } {
  if (outcome.error) return { symbol: marks.failed, text: `${context}: ${terminalSafe(redactCredentials(outcome.error))}` };
  // Read, but not all of it: the warning colour, and what is missing, in one line.
  if (outcome.unreadable > 0) return { symbol: marks.partial, text: `${context}: ${summary(outcome)}` };
  return { symbol: marks.succeeded, text: `${context}: ${summary(outcome)}` };
}

export function interactive(io: CliIo): boolean {
  const ci = io.env['CI'];
  if (ci !== undefined && ci !== '' && ci !== '0' && ci !== 'false') return false;
  if (io.env['TERM'] === 'dumb') return false;
  return io.stderr.isTTY === true;
}

function describe(progress: ReadProgress): string {
  if (progress.phase === 'discovery') return 'discovering APIs';
  return `listing ${progress.listsDone}/${progress.listsTotal} resource types, ${progress.objects.toLocaleString('en-US')} objects`;
}

export function summary(outcome: ContextOutcome): string {
  const seconds = (outcome.durationMs / 1000).toFixed(1);
  const read = `${outcome.resources.toLocaleString('en-US')} objects from ${outcome.resourceTypes} resource types in ${seconds} s`;
  return outcome.unreadable > 0 ? `${read}; ${outcome.unreadable} could not be read (coverage gaps in the report)` : read;
}
