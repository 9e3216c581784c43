import { cpSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { append, maxOf } from '../src/core/arrays.js';
import { kfscanAsync, ROOT } from './helpers/cli.js';
import { tempDir } from './helpers/live.js';

// One file of an input must never cost the others their findings: 130,000 stray documents used to
// overflow the stack (every one of them a warning, passed on with `push(...list)`) and end the whole scan
// with exit 2.
describe('a file of 130,000 stray documents', () => {
  it('is one file with capped warnings; the other files are still scanned and reported', async () => {
    const dir = tempDir('kfscan-size-');
    cpSync(path.join(ROOT, 'fixtures/demo'), dir, { recursive: true });
    writeFileSync(path.join(dir, 'stray.yaml'), '--- {}\n'.repeat(130_000));
    // The built program, with the stack a user's Node gives it (a test worker's may be larger).
    const run = await kfscanAsync(['scan', '.', '-f', 'json', '--fail-on', 'high'], { cwd: dir });
    expect(run.stderr).not.toMatch(/call stack|unexpected error/);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as { findings: unknown[]; warnings: Array<{ file: string; message: string }> };
    expect(report.findings.length).toBeGreaterThan(10);
    const stray = report.warnings.filter((warning) => warning.file === 'stray.yaml');
    expect(stray).toHaveLength(101);
    expect(stray.at(-1)!.message).toBe('129900 more warnings in this file not listed');
  }, 60_000);

  it('the list helpers take more elements than a call can have arguments', () => {
    const many = Array.from({ length: 300_000 }, (_, index) => index);
    expect(append([-1], many)).toHaveLength(300_001);
    expect(maxOf(many)).toBe(299_999);
    expect(maxOf([])).toBe(0);
  });
});
