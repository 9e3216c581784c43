// docs/plugins.md and examples/plugin-approved-registries are what plugin authors copy: their example runs
// as the page says, the lists the page gives are the engine's, and the example plugin works offline from
// a copy outside the project.
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseDocsPage } from '../src/catalogue/docs-page.js';
import { CATEGORIES } from '../src/core/categories.js';
import { POD_TEMPLATE_KINDS } from '../src/inventory/pod-template-kinds.js';
import { kfscan, ROOT } from './helpers/cli.js';
import { useCliSession } from './helpers/cli-session-client.js';
import { tempRepo } from './helpers/repo.js';

// The documented command runs on the built binary; the other runs in one kfscan session.
const session = useCliSession('plugin-docs');

const DOCS = readFileSync(path.join(ROOT, 'docs', 'plugins.md'), 'utf8');

/** The blocks the page marks with `<!-- example: name -->`, by name. */
function examples(): Map<string, string> {
  const blocks = new Map<string, string>();
  for (const match of DOCS.matchAll(/<!-- example: (\S+) -->\n```\w*\n([\s\S]*?)```/g)) blocks.set(match[1]!, match[2]!);
  return blocks;
}

describe('docs/plugins.md', () => {
  it('has a complete example that runs as documented, from a folder outside the project', async () => {
    const blocks = examples();
    expect([...blocks.keys()]).toEqual(['acme-policies.mjs', 'deploy/ml.yaml', '.kfscan.yaml', 'command', 'finding']);
    const dir = tempRepo({ 'acme-policies.mjs': blocks.get('acme-policies.mjs')!, 'deploy/ml.yaml': blocks.get('deploy/ml.yaml')!, '.kfscan.yaml': blocks.get('.kfscan.yaml')! });
    const command = blocks.get('command')!.trim().split(/\s+/);
    expect(command.slice(0, 2)).toEqual(['npx', 'kfscan']);
    const table = kfscan([...command.slice(2), '--no-color'], { cwd: dir });
    expect(table.stderr).toBe('');
    expect(table.stdout).toMatch(/^│ acme-pool-hosts +│ Job ml\/nightly-train │ deploy\/ml\.yaml:26 +│ Container train in Job/m);
    expect(table.stdout).toMatch(/^│ acme-notebook-owner +│ Notebook ml\/scratch +│ deploy\/ml\.yaml:3 +│ Notebook ml\/scratch has no team label/m);

    const report = JSON.parse((await session([...command.slice(2), '-f', 'json'], { cwd: dir })).stdout) as { findings: Array<Record<string, unknown>>; errors: unknown[] };
    expect(report.errors).toEqual([]);
    const documented = JSON.parse(blocks.get('finding')!) as Record<string, unknown>;
    expect(report.findings.find((f) => f['checkId'] === documented['checkId'])).toMatchObject(documented);
    expect(report.findings.filter((f) => String(f['checkId']).startsWith('acme-')).map((f) => f['checkId'])).toEqual(['acme-pool-hosts', 'acme-notebook-owner']);

    // "Without the configuration file ... acme-pool-hosts then finds nothing".
    const bare = JSON.parse((await session(['scan', 'deploy/', '-f', 'json', '--no-config', '--plugin', './acme-policies.mjs'], { cwd: dir })).stdout) as typeof report;
    expect(bare.findings.filter((f) => String(f['checkId']).startsWith('acme-')).map((f) => f['checkId'])).toEqual(['acme-notebook-owner']);
  });

  it('lists the pod-bearing kinds that podTemplates() and helpers.containers() read', () => {
    const paragraph = DOCS.slice(DOCS.indexOf('The **pod-bearing kinds**'), DOCS.indexOf('A check that calls `podTemplates()`'));
    const listed = [...paragraph.matchAll(/`([^`]+)`/g)].map((m) => m[1]).filter((kind) => !kind!.includes('('));
    expect(listed).toEqual(POD_TEMPLATE_KINDS);
  });

  it('lists the categories of the contract', () => {
    const row = DOCS.split('\n').find((line) => line.startsWith('| `category` |'))!;
    expect([...row.matchAll(/`([a-z-]+)`/g)].map((m) => m[1]).slice(1)).toEqual(CATEGORIES);
  });
});

describe('examples/plugin-approved-registries', () => {
  const CHECK = 'ml-image-unapproved-registry';
  let plugin: string;

  beforeAll(() => {
    plugin = path.join(mkdtempSync(path.join(os.tmpdir(), 'kfscan-example-')), 'approved-registries');
    cpSync(path.join(ROOT, 'examples', 'plugin-approved-registries'), plugin, { recursive: true });
  });

  const config = (registries: string[]) => `plugins:\n  - plugin: ${JSON.stringify(plugin)}\n    options:\n      registries: ${JSON.stringify(registries)}\n`;
  const job = (name: string, image: string) =>
    `apiVersion: batch/v1\nkind: Job\nmetadata: {name: ${name}, namespace: ml}\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n        - name: main\n          image: ${image}\n`;
  const scan = async (dir: string) => JSON.parse((await session(['scan', '.', '-f', 'json', '--checks', CHECK], { cwd: dir })).stdout) as { findings: Array<{ message: string; resource: { name: string } }>; errors: unknown[] };

  it('reads every pod-bearing kind, so live mode lists them all', async () => {
    const { default: loaded } = (await import(path.join(ROOT, 'examples', 'plugin-approved-registries', 'index.mjs'))) as { default: { checks: Array<{ meta: { needs: string[] } }> } };
    expect(loaded.checks[0]!.meta.needs).toEqual(POD_TEMPLATE_KINDS);
  });

  it('reports ML images from registries not in its options, on the demo', async () => {
    const dir = tempRepo({ '.kfscan.yaml': config(['registry.acme.example']) });
    cpSync(path.join(ROOT, 'fixtures', 'demo'), path.join(dir, 'deploy'), { recursive: true });
    const report = await scan(dir);
    expect(report.errors).toEqual([]);
    expect(report.findings.length).toBeGreaterThan(0);
    expect(report.findings[0]!.message).toMatch(/^Container \S+ in \w+ \S+ runs tensorflow\/tensorflow:\S+ from docker\.io, which is not an approved registry \(registry\.acme\.example\)$/);
    const dockerHubApproved = tempRepo({ '.kfscan.yaml': config(['docker.io']) });
    cpSync(path.join(ROOT, 'fixtures', 'demo'), path.join(dockerHubApproved, 'deploy'), { recursive: true });
    expect((await scan(dockerHubApproved)).findings).toEqual([]);
  });

  it('approves a whole registry or a path prefix, and judges ML images only', async () => {
    const dir = tempRepo({
      '.kfscan.yaml': config(['registry.acme.example:5000', 'ghcr.io/acme']),
      'jobs.yaml': [
        job('port', 'registry.acme.example:5000/mirror/tensorflow/tensorflow:2.16.1'),
        job('other-port', 'registry.acme.example/mirror/tensorflow/tensorflow:2.16.1'),
        job('prefix', 'ghcr.io/acme/pytorch/pytorch:2.3.0'),
        job('lookalike', 'ghcr.io/acmecorp/pytorch/pytorch:2.3.0'),
        job('hub', 'pytorch/pytorch:2.3.0-cuda12.1-cudnn8-runtime'),
        job('web', 'nginx:1.27'),
      ].join('---\n'),
    });
    expect((await scan(dir)).findings.map((f) => f.resource.name)).toEqual(['hub', 'lookalike', 'other-port']);
  });

  it('refuses to run without its options, with the line to fix (exit 2)', async () => {
    const dir = tempRepo({ 'jobs.yaml': job('hub', 'tensorflow/tensorflow:2.16.1') });
    const run = await session(['scan', '.', '--plugin', plugin], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      `kfscan: options of plugin approved-registries (${plugin}): must have required property 'registries' (give them under plugins: in .kfscan.yaml: - plugin: ${plugin}, options: {...})\n`,
    );
  });

  it('explains its check from its own page, whose examples fail and pass as labelled', async () => {
    const explained = await session(['explain', CHECK, '--config', path.join(tempRepo({ '.kfscan.yaml': config(['registry.acme.example']) }), '.kfscan.yaml')]);
    expect(explained.code).toBe(0);
    expect(explained.stdout).toContain('  Plugin         approved-registries 1.0.0');
    expect(explained.stdout).toContain('WHAT IT DETECTS\n\n  Containers that run an ML framework or notebook image');
    const page = parseDocsPage(readFileSync(path.join(plugin, 'docs', `${CHECK}.md`), 'utf8'));
    expect(page.examples.map((e) => e.kind)).toEqual(['fail', 'pass']);
    for (const example of page.examples) {
      const findings = (await scan(tempRepo({ '.kfscan.yaml': config(['registry.acme.example']), 'example.yaml': example.yaml }))).findings;
      expect(findings.length, example.label).toBe(example.kind === 'fail' ? 1 : 0);
    }
  });
});
