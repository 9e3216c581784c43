// The short ids a customer quotes ("KF-3a9c2f is fixed"): the same on every run and after edits that move
// lines, one per finding within a report, and shown in every format.
import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { longerIds, withReportIds } from '../src/engine/report-ids.js';
import { ROOT, kfscan } from './helpers/cli.js';
import { runCli } from './helpers/in-process.js';
import { finding } from './helpers/results.js';

interface JsonFinding {
  id: string;
  fingerprint: string;
  checkId: string;
  location: { file: string; line: number } | null;
}

const SCAN_JSON = ['-f', 'json', '--fail-on', 'none', '--no-config'];

function findingsOf(run: { stdout: string; stderr: string }): JsonFinding[] {
  expect(run.stderr).toBe('');
  return (JSON.parse(run.stdout) as { findings: JsonFinding[] }).findings;
}

/** In this process; the first scan below runs the built binary, so that ids are proven the same across processes. */
async function scanJson(dir: string): Promise<JsonFinding[]> {
  return findingsOf(await runCli(['scan', dir, ...SCAN_JSON]));
}

describe('finding ids', () => {
  it('are the same across runs and after lines are inserted at the top of every file', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kfscan-ids-'));
    cpSync(path.join(ROOT, 'fixtures', 'demo'), dir, { recursive: true });
    const first = findingsOf(kfscan(['scan', dir, ...SCAN_JSON]));
    const second = await scanJson(dir);
    expect(first.length).toBeGreaterThan(5);
    expect(second.map((f) => f.id)).toEqual(first.map((f) => f.id));
    for (const f of first) expect(f.id).toMatch(/^KF-[0-9a-f]{6}$/);
    expect(new Set(first.map((f) => f.id)).size).toBe(new Set(first.map((f) => f.fingerprint)).size);

    const inserted = ['# a comment added later', '# and another', '', '---', ''];
    for (const name of readdirSync(dir).filter((file) => file.endsWith('.yaml'))) {
      writeFileSync(path.join(dir, name), `${inserted.join('\n')}\n${readFileSync(path.join(dir, name), 'utf8')}`);
    }
    const moved = await scanJson(dir);
    const byId = new Map(first.map((f) => [f.id, f]));
    expect(moved.map((f) => f.id).sort()).toEqual(first.map((f) => f.id).sort());
    for (const f of moved) {
      const before = byId.get(f.id)!;
      expect(f.checkId).toBe(before.checkId);
      if (f.location && before.location) expect(f.location.line).toBe(before.location.line + inserted.length);
    }
    // At least one finding really moved, so the test proves the id does not follow the line.
    expect(moved.some((f) => f.location !== null)).toBe(true);
  });

  it('lengthen every id of a clash of six-digit prefixes until they differ, and keep one id per fingerprint', () => {
    const a = `abcdef01${'0'.repeat(24)}`;
    const b = `abcdef02${'0'.repeat(24)}`;
    const c = `abcdef0211${'1'.repeat(22)}`;
    const alone = `123456${'f'.repeat(26)}`;
    expect(longerIds([a, b, alone])).toEqual(new Map([[a, 'KF-abcdef01'], [b, 'KF-abcdef02']]));
    // b and c share eight digits: the whole clash goes to ten.
    expect(longerIds([a, b, c, b])).toEqual(new Map([[a, 'KF-abcdef0100'], [b, 'KF-abcdef0200'], [c, 'KF-abcdef0211']]));
    expect(longerIds([alone, alone])).toEqual(new Map());
  });

  it('count suppressed findings, so that suppressing one does not rename another', () => {
    const shown = finding('mutable-ml-image', { fingerprint: `abcdef01${'0'.repeat(24)}`, id: 'KF-abcdef' });
    const hidden = {
      ...finding('mutable-ml-image', { fingerprint: `abcdef02${'0'.repeat(24)}`, id: 'KF-abcdef' }),
      suppression: { kind: 'external' as const, via: 'config' as const, justification: 'accepted', location: null, resource: null, expires: null },
    };
    const result = withReportIds({ findings: [shown], suppressed: [hidden] });
    expect(result.findings.map((f) => f.id)).toEqual(['KF-abcdef01']);
    expect(result.suppressed.map((f) => f.id)).toEqual(['KF-abcdef02']);
    expect(result.suppressed[0]!.suppression.justification).toBe('accepted');
    const untouched = { findings: [finding('mutable-ml-image')] };
    expect(withReportIds(untouched)).toBe(untouched);
  });

  it('are shown in every format: JSON id, SARIF partialFingerprints, markdown, HTML anchors', async () => {
    const json = await runCli(['scan', 'fixtures/demo', '-f', 'json', '--fail-on', 'none', '--no-config']);
    const ids = (JSON.parse(json.stdout) as { findings: JsonFinding[] }).findings.map((f) => f.id);
    const sarif = JSON.parse((await runCli(['scan', 'fixtures/demo', '-f', 'sarif', '--fail-on', 'none', '--no-config'])).stdout) as {
      runs: Array<{ results: Array<{ partialFingerprints: Record<string, string> }> }>;
    };
    expect(sarif.runs[0]!.results.map((r) => r.partialFingerprints['kfscanId/v1']).sort()).toEqual([...ids].sort());
    const markdown = (await runCli(['scan', 'fixtures/demo', '-f', 'markdown', '--fail-on', 'none', '--no-config'])).stdout;
    for (const id of ids) expect(markdown).toContain(`| \`${id}\` |`);
    const page = (await runCli(['scan', 'fixtures/demo', '-f', 'html', '--fail-on', 'none', '--no-config'])).stdout;
    for (const id of ids) expect(page).toContain(`<tr id="${id}"`);
  });
});
