// The re-audit: `kfscan diff OLD.json NEW.json` and `--compare` on a scan. The earlier report is a file
// anyone could have written: it is validated, and its text reaches no output unescaped.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import AjvModule from 'ajv';
import { micromark } from 'micromark';
import { gfm, gfmHtml } from 'micromark-extension-gfm';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from './helpers/cli.js';
import { runCli } from './helpers/in-process.js';
import { HOSTILE } from './helpers/results.js';

// Characters a terminal or a reader would act on: escapes, CSI, bidi overrides.
// eslint-disable-next-line no-control-regex
const HIDDEN = /[\u001b\u009b\u202e]/;

const schema = JSON.parse(readFileSync(path.join(ROOT, 'schema', 'kfscan-diff.schema.json'), 'utf8'));
const validate = new AjvModule.default({ allErrors: true, strict: false }).compile(schema);

interface DiffEntry {
  id: string;
  fingerprint: string;
  checkId: string;
  severity: string;
  reason?: string;
}
interface DiffJson {
  counts: Record<string, number>;
  new: DiffEntry[];
  fixed: DiffEntry[];
  unchanged: DiffEntry[];
  suppressed: DiffEntry[];
  notRechecked: DiffEntry[];
  warnings: string[];
}

function workspace(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kfscan-diff-'));
  cpSync(path.join(ROOT, 'fixtures', 'demo'), path.join(dir, 'deploy'), { recursive: true });
  return dir;
}

async function scanTo(dir: string, file: string, extra: string[] = []): Promise<void> {
  const run = await runCli(['scan', 'deploy', '-f', 'json', '-o', file, '--fail-on', 'none', '--no-config', ...extra], { cwd: dir });
  expect(run.stderr).toBe(`kfscan: wrote the JSON report to ${file}\n`);
}

/** The demo's exposure fixed (the gateway made ClusterIP) and a new mutable image added. */
function reaudit(dir: string): void {
  const istio = path.join(dir, 'deploy', 'istio.yaml');
  writeFileSync(istio, readFileSync(istio, 'utf8').replace('type: LoadBalancer', 'type: ClusterIP'));
  writeFileSync(
    path.join(dir, 'deploy', 'notebook.yaml'),
    ['apiVersion: apps/v1', 'kind: Deployment', 'metadata: {name: notebook, namespace: kubeflow-user-example-com}', 'spec:', '  selector: {matchLabels: {app: nb}}', '  template:', '    metadata: {labels: {app: nb}}', '    spec:', '      containers: [{name: nb, image: "pytorch/pytorch:latest"}]', ''].join('\n'),
  );
}

describe('kfscan diff', () => {
  const dir = workspace();
  let before: { findings: DiffEntry[] };
  beforeAll(async () => {
    await scanTo(dir, 'old.json');
    reaudit(dir);
    await scanTo(dir, 'new.json');
    before = JSON.parse(readFileSync(path.join(dir, 'old.json'), 'utf8')) as { findings: DiffEntry[] };
  });

  it('reports a fixed and a new finding by id, with counts, and exits 1 for a new finding at or above --fail-on', async () => {
    const run = await runCli(['diff', 'old.json', 'new.json', '-f', 'json'], { cwd: dir });
    expect(run.stderr).toBe('');
    const diff = JSON.parse(run.stdout) as DiffJson;
    expect(validate(diff), JSON.stringify(validate.errors)).toBe(true);
    expect(diff.fixed.map((f) => f.checkId)).toEqual(expect.arrayContaining(['ingress-gateway-exposed', 'kubeflow-dashboard-exposed']));
    expect(diff.new.map((f) => f.checkId)).toContain('mutable-ml-image');
    expect(diff.counts).toEqual({ new: diff.new.length, fixed: diff.fixed.length, unchanged: diff.unchanged.length, suppressed: 0, notRechecked: 0 });
    expect(diff.counts['new']! + diff.counts['unchanged']!).toBeGreaterThan(0);
    // The ids are the reports' own: a fixed one is quoted from the earlier report.
    const gateway = diff.fixed.find((f) => f.checkId === 'ingress-gateway-exposed')!;
    expect(before.findings.find((f) => f.id === gateway.id)).toBeDefined();
    expect(diff.unchanged.length).toBe(before.findings.length - diff.fixed.length);
    // The new finding (a notebook on pytorch:latest) is medium: below the default --fail-on high.
    expect(diff.new.map((f) => f.severity)).toEqual(['medium']);
    expect(run.code).toBe(0);
    expect((await runCli(['diff', 'old.json', 'new.json', '--fail-on', 'medium'], { cwd: dir })).code).toBe(1);
    expect((await runCli(['diff', 'old.json', 'new.json', '--fail-on', 'none'], { cwd: dir })).code).toBe(0);
    // The other way round the exposure is new, and critical.
    const back = await runCli(['diff', 'new.json', 'old.json', '-f', 'json'], { cwd: dir });
    expect(back.code).toBe(1);
    expect((JSON.parse(back.stdout) as DiffJson).fixed.map((f) => f.checkId)).toContain('mutable-ml-image');
    expect((await runCli(['diff', 'old.json', 'old.json'], { cwd: dir })).code).toBe(0);
  });

  it('writes a table and markdown naming each id', async () => {
    const diff = JSON.parse((await runCli(['diff', 'old.json', 'new.json', '-f', 'json'], { cwd: dir })).stdout) as DiffJson;
    const table = (await runCli(['diff', 'old.json', 'new.json'], { cwd: dir })).stdout;
    expect(table).toMatch(/^kfscan diff: \d+ new, \d+ fixed, \d+ unchanged/);
    expect(table).toContain('NEW (');
    expect(table).toContain('FIXED (');
    for (const f of [...diff.new, ...diff.fixed]) expect(table).toContain(f.id);
    const markdown = (await runCli(['diff', 'old.json', 'new.json', '-f', 'markdown'], { cwd: dir })).stdout;
    expect(markdown).toMatch(/^### kfscan diff: /);
    for (const f of [...diff.new, ...diff.fixed]) expect(markdown).toContain(`\`${f.id}\``);
  });

  it('does not call a finding fixed when the later scan did not look: suppressed, check not run', async () => {
    await scanTo(dir, 'skipped.json', ['--skip-checks', 'mutable-ml-image']);
    const diff = JSON.parse((await runCli(['diff', 'new.json', 'skipped.json', '-f', 'json', '--fail-on', 'none'], { cwd: dir })).stdout) as DiffJson;
    expect(diff.fixed.filter((f) => f.checkId === 'mutable-ml-image')).toEqual([]);
    expect(diff.notRechecked.map((f) => f.reason)).toContain('check mutable-ml-image did not run');
    writeFileSync(path.join(dir, '.kfscan.yaml'), 'ignore:\n  - check: mutable-ml-image\n    reason: accepted for the pilot\n');
    const run = await runCli(['scan', 'deploy', '-f', 'json', '-o', 'accepted.json', '--fail-on', 'none'], { cwd: dir });
    rmSync(path.join(dir, '.kfscan.yaml'));
    expect(run.code).toBe(0);
    const accepted = JSON.parse((await runCli(['diff', 'new.json', 'accepted.json', '-f', 'json', '--fail-on', 'none'], { cwd: dir })).stdout) as DiffJson;
    expect(accepted.suppressed.map((f) => f.checkId)).toContain('mutable-ml-image');
    expect(accepted.fixed.filter((f) => f.checkId === 'mutable-ml-image')).toEqual([]);
  });

  it('refuses what is not a kfscan JSON report with a clear message and no stack', async () => {
    const write = (name: string, text: string): string => (writeFileSync(path.join(dir, name), text), name);
    const cases: Array<[string, RegExp]> = [
      [write('not-json.json', '{"findings": ['), /not-json\.json is not JSON/],
      [write('sarif.json', JSON.stringify({ version: '2.1.0', runs: [] })), /is a SARIF log/],
      [write('other.json', JSON.stringify({ schemaVersion: 1, tool: { name: 'trivy', version: '1' }, target: { mode: 'manifests' }, findings: [] })), /tool\.name must be "kfscan"/],
      [write('bad-severity.json', JSON.stringify({ ...before, findings: [{ ...before.findings[0], severity: 'urgent' }] })), /findings\[0\]\.severity must be one of critical, high, medium, low, info/],
      [write('bad-print.json', JSON.stringify({ ...before, findings: [{ ...before.findings[0], fingerprint: '../../etc' }] })), /findings\[0\]\.fingerprint is not a 32-digit hex fingerprint/],
      ['missing.json', /cannot read missing\.json: no such file/],
    ];
    for (const [file, message] of cases) {
      const run = await runCli(['diff', file, 'new.json'], { cwd: dir });
      expect(run.code, file).toBe(2);
      expect(run.stderr, file).toMatch(message);
      expect(run.stderr, file).not.toMatch(/\n\s+at /);
    }
  });

  it('shows hostile text from a report file as text in every format', async () => {
    const hostile = {
      ...before,
      findings: [
        {
          ...before.findings[0],
          fingerprint: 'f'.repeat(32),
          id: 'KF-ffffff',
          checkId: `x\u001b[2J${HOSTILE.script}`,
          message: `::error::pwned ${HOSTILE.image} \u202e \u009b31m`,
          resource: { apiVersion: 'v1', kind: 'Pod', namespace: HOSTILE.attribute, name: '| a | b |' },
        },
      ],
    };
    writeFileSync(path.join(dir, 'hostile.json'), JSON.stringify(hostile));
    const table = (await runCli(['diff', 'hostile.json', 'new.json', '--fail-on', 'none'], { cwd: dir })).stdout;
    expect(table).not.toMatch(HIDDEN);
    expect(table).toContain('\\x1b[2J');
    const markdown = (await runCli(['diff', 'hostile.json', 'new.json', '-f', 'markdown', '--fail-on', 'none'], { cwd: dir })).stdout;
    expect(markdown).not.toMatch(HIDDEN);
    // Inside code spans: no HTML, and the pipes of the name do not add cells.
    expect(markdown).toContain('/\\| a \\| b \\|` |');
    // Rendered as GitHub would (raw HTML allowed), nothing of it becomes markup.
    const rendered = micromark(markdown, { extensions: [gfm()], htmlExtensions: [gfmHtml()], allowDangerousHtml: true });
    expect(rendered).not.toMatch(/<script|<img|<[a-z][^>]*\son[a-z]+=/i);
    const json = (await runCli(['diff', 'hostile.json', 'new.json', '-f', 'json', '--fail-on', 'none'], { cwd: dir })).stdout;
    expect(json).not.toMatch(HIDDEN);
    // Its check did not run in the later scan: not rechecked, never "fixed".
    const parsed = JSON.parse(json) as DiffJson;
    expect(parsed.fixed).toEqual([]);
    expect(parsed.notRechecked[0]!.checkId).toBe(`x\u001b[2J${HOSTILE.script}`);
  });

  it('adds the comparison to the HTML report of a scan with --compare', async () => {
    const run = await runCli(['scan', 'deploy', '-f', 'html', '--compare', 'old.json', '--fail-on', 'none', '--no-config'], { cwd: dir });
    expect(run.stderr).toBe('');
    const diff = JSON.parse((await runCli(['diff', 'old.json', 'new.json', '-f', 'json'], { cwd: dir })).stdout) as DiffJson;
    const page = run.stdout;
    const section = page.slice(page.indexOf('<section id="comparison">'), page.indexOf('</section>', page.indexOf('<section id="comparison">')));
    expect(section).toContain('<h2>Changes since the earlier scan</h2>');
    expect(section).toContain(`data-diff-count="new">${diff.counts.new}<`);
    expect(section).toContain(`data-diff-count="fixed">${diff.counts.fixed}<`);
    for (const f of diff.fixed) expect(section).toContain(`<td class="finding-id">${f.id}</td>`);
    // New findings link to their row in this report.
    for (const f of diff.new) expect(section).toContain(`<a href="#${f.id}">${f.id}</a>`);
    const refused = await runCli(['scan', 'deploy', '-f', 'json', '--compare', 'old.json', '--no-config'], { cwd: dir });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--compare adds a section to the HTML and PDF reports');
    const broken = await runCli(['scan', 'deploy', '-f', 'html', '--compare', 'not-json.json', '--no-config'], { cwd: dir });
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain('--compare: not-json.json is not JSON');
  });
});
