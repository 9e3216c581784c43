import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createProgress } from '../src/cli/progress.js';
import type { CliIo } from '../src/cli/io.js';
import type { ContextOutcome } from '../src/live/scan-cluster.js';

function stderr(isTTY: boolean): { stream: CliIo['stderr']; text: () => string } {
  let text = '';
  const stream = Object.assign(
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        text += chunk.toString();
        callback();
      },
    }),
    // What ora needs of a terminal.
    { isTTY, columns: 100, cursorTo: () => true, moveCursor: () => true, clearLine: () => true },
  );
  return { stream, text: () => text };
}

function io(err: CliIo['stderr'], env: Record<string, string> = {}): CliIo {
  return { stdout: new Writable({ write: (_c, _e, cb) => cb() }), stderr: err, stdin: process.stdin, cwd: process.cwd(), env };
}

const scanned: ContextOutcome = { context: 'prod', server: 'https://x', error: null, resources: 1234, resourceTypes: 17, notInstalled: [], unreadable: 0, durationMs: 2100 };
const partial: ContextOutcome = { ...scanned, context: 'staging', unreadable: 3 };
const failed: ContextOutcome = { ...scanned, context: 'lab', error: 'cannot reach https://10.0.0.1:6443 (connection refused)' };

describe('progress on stderr', () => {
  it('shows a spinner per context on a terminal and ends it with the outcome', async () => {
    const err = stderr(true);
    const factory = await createProgress(io(err.stream, { TERM: 'xterm-256color' }));
    const progress = factory('prod');
    progress.update({ phase: 'listing', listsDone: 3, listsTotal: 17, objects: 800 });
    progress.done(scanned);
    factory('lab').done(failed);
    expect(err.text()).toContain('prod: 1,234 objects from 17 resource types in 2.1 s');
    expect(err.text()).toContain('lab: cannot reach https://10.0.0.1:6443 (connection refused)');
  });

  it('ends in the warning colour, with what could not be read, when a context was read only in part', async () => {
    const err = stderr(true);
    const factory = await createProgress(io(err.stream, { TERM: 'xterm-256color', FORCE_COLOR: '1' }));
    factory('prod').done(scanned);
    factory('staging').done(partial);
    const lines = err.text().split(/\r?\n/).filter((line) => line.includes('objects from'));
    const [done, warned] = [lines.find((line) => line.includes('prod:'))!, lines.find((line) => line.includes('staging:'))!];
    expect(warned).toContain('staging: 1,234 objects from 17 resource types in 2.1 s; 3 could not be read (coverage gaps in the report)');
    // ora's warning symbol, in yellow; the complete context's is a green tick.
    /* eslint-disable no-control-regex -- the colours are what is checked */
    expect(warned).toMatch(/\u001b\[33m[⚠‼]/);
    expect(done).toMatch(/\u001b\[32m[✔√]/);
    /* eslint-enable no-control-regex */
  });

  it('takes its colours from the environment it was given, not the process: none with NO_COLOR', async () => {
    const err = stderr(true);
    const factory = await createProgress(io(err.stream, { TERM: 'xterm-256color', NO_COLOR: '1', FORCE_COLOR: '1' }));
    factory('prod').done(scanned);
    factory('staging').done(partial);
    factory('lab').done(failed);
    // The fake terminal ignores cursor moves, so a spinner frame and the line that replaces it share a line.
    const persisted = [...err.text().matchAll(/[✔⚠✖] [^\r\n]*/gu)].map(([line]) => line);
    expect(persisted).toEqual([
      '✔ prod: 1,234 objects from 17 resource types in 2.1 s',
      '⚠ staging: 1,234 objects from 17 resource types in 2.1 s; 3 could not be read (coverage gaps in the report)',
      '✖ lab: cannot reach https://10.0.0.1:6443 (connection refused)',
    ]);
    // eslint-disable-next-line no-control-regex -- no colour is what is checked
    expect(err.text()).not.toMatch(/\u001b\[3\dm/);
  });

  it('is silent off a terminal and in CI, except for a failed context', async () => {
    for (const [isTTY, env] of [[false, {}], [true, { CI: 'true', TERM: 'xterm' }], [true, { TERM: 'dumb' }]] as const) {
      const err = stderr(isTTY);
      const factory = await createProgress(io(err.stream, env));
      const progress = factory('prod');
      progress.update({ phase: 'discovery', listsDone: 0, listsTotal: 0, objects: 0 });
      progress.done(scanned);
      factory('lab').done(failed);
      expect(err.text()).toBe('kfscan: error: lab: cannot reach https://10.0.0.1:6443 (connection refused)\n');
    }
  });
});
