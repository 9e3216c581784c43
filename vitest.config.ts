import os from 'node:os';
import path from 'node:path';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

// Files that wait longest (child processes, npm, retries against a misbehaving server). Vitest starts the
// slowest files first once it has timings of its own; on a fresh clone it has none and would start these
// late, leaving a long tail on two cores.
const LONGEST_FIRST = [
  'test/package.test.ts',
  'test/pre-commit.test.ts',
  'test/secrets-never-printed.test.ts',
  'test/plugins.test.ts',
  'test/bad-input.test.ts',
  'test/live-parity.test.ts',
  'test/terminal-safety.test.ts',
];

const CPU_TIMED = ['test/linear-time.test.ts', 'test/linear-scan.test.ts'];

class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (file: TestSpecification): number => {
      const index = LONGEST_FIRST.indexOf(path.relative(import.meta.dirname, file.moduleId).split(path.sep).join('/'));
      return index === -1 ? LONGEST_FIRST.length : index;
    };
    return sorted.map((file, order) => ({ file, order })).sort((a, b) => rank(a.file) - rank(b.file) || a.order - b.order).map(({ file }) => file);
  }
}

export default defineConfig({
  test: {
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'threads',
    // Every check gets an inventory that refuses the kinds it did not declare (src/inventory/read-guard.ts).
    env: { KFSCAN_STRICT_READS: '1' },
    // Many tests wait on a child process (the built CLI, npm, tsc) or on a server's timeout: one worker more
    // than cores keeps them busy, where the default (cores - 1) leaves one of two cores idle.
    maxWorkers: os.availableParallelism() + 1,
    // The test files share no mutable state (no mocks, no stubbed globals), so a worker keeps the modules it
    // has imported for the next file instead of importing src/ afresh for each: about a sixth of the CPU.
    isolate: false,
    sequence: { sequencer: LongestFirst },
    projects: [
      { extends: true, test: { name: 'main', include: ['test/**/*.test.ts'], exclude: CPU_TIMED } },
      // Tests that judge how CPU time grows with input size (test/helpers/cpu-time.ts) each get a process of
      // their own, whose CPU time is theirs alone: wall time on a busy machine varied fivefold and failed them.
      { extends: true, test: { name: 'cpu-timed', include: CPU_TIMED, pool: 'forks' } },
    ],
  },
});
