// The report a consultant hands a customer: engagement metadata shown as text everywhere, an executive
// summary and a remediation plan that name finding ids, provenance, a legend of the Threat Matrix tags,
// the check pages inside the report, excerpts of the evidence; live, each cluster's Kubernetes version.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { threatMatrixEntry } from '../src/core/threat-matrix.js';
import { renderCheckPage } from '../src/reporters/html/check-pages.js';
import { runCli, type InProcessRun } from './helpers/in-process.js';
import { kubeconfigFile, useApiServers, type JsonReport } from './helpers/live.js';
import { HOSTILE } from './helpers/results.js';
import { reportSchemaErrors } from './helpers/report-schema.js';

// Characters a terminal or a reader would act on: escapes, CSI, bidi overrides.
// eslint-disable-next-line no-control-regex
const HIDDEN = /[\u001b\u009b\u202e]/;

const ENGAGEMENT = {
  title: `Q3 review ${HOSTILE.script}`,
  customer: `ACME ${HOSTILE.attribute}`,
  assessor: `Jane ${HOSTILE.image} \u001b[2J\u202e::error::x`,
};
const FLAGS = ['--title', ENGAGEMENT.title, '--customer', ENGAGEMENT.customer, '--assessor', ENGAGEMENT.assessor];
const EPOCH = { SOURCE_DATE_EPOCH: '1773480413' }; // 2026-03-14T09:26:53Z

/** Every tag of the page: all `<` from a scan or the engagement are escaped, so each of these is kfscan's. */
const tags = (page: string): string[] => page.match(/<[a-zA-Z][^>]*>/g) ?? [];

function section(page: string, id: string): string {
  const start = page.indexOf(`<section id="${id}"`);
  expect(start, id).toBeGreaterThan(-1);
  return page.slice(start, page.indexOf('</section>', start));
}

describe('the customer report (HTML)', () => {
  let run: InProcessRun;
  let page: string;
  let json: {
    findings: Array<{ id: string; checkId: string; severity: string; location: unknown }>;
    summary: { total: number };
  };
  beforeAll(async () => {
    run = await runCli(['scan', 'fixtures/demo', '-f', 'html', '--fail-on', 'none', '--no-config', ...FLAGS], { env: EPOCH });
    page = run.stdout;
    json = JSON.parse((await runCli(['scan', 'fixtures/demo', '-f', 'json', '--fail-on', 'none', '--no-config'], { env: EPOCH })).stdout) as typeof json;
  });

  it('shows hostile engagement metadata as text on the cover, in the title and nowhere as markup', () => {
    expect(run.stderr).toBe('');
    expect(page).toContain(`<h1>Q3 review &lt;script&gt;window.__kfscanPwned = &quot;script&quot;&lt;/script&gt;</h1>`);
    expect(page).toContain('<title>Q3 review &lt;script&gt;');
    expect(page).toContain('<dt>Prepared for</dt><dd class="wrap-any">ACME x&quot; onmouseover=');
    expect(page).toContain('<dt>Assessed by</dt><dd class="wrap-any">Jane &lt;img src=x onerror=');
    expect(page).toContain('\\x1b[2J\\u202e::error::x');
    expect(page).not.toMatch(HIDDEN);
    expect(page.match(/<script/gi)).toHaveLength(1);
    for (const tag of tags(page)) expect(tag.replace(/"[^"]*"/g, '""'), tag).not.toMatch(/\son[a-z]+\s*=|<img/i);
    expect(page).toContain('<time datetime="2026-03-14T09:26:53.000Z">2026-03-14 09:26:53 UTC</time>');
  });

  it('has an executive summary with a rating and the four questions, naming finding ids', () => {
    const summary = section(page, 'executive-summary');
    expect(summary).toContain('<h2>Executive summary</h2>');
    expect(summary).toContain('Overall rating: Critical');
    expect(summary.match(/<tr data-question="[a-z]+">/g)).toHaveLength(4);
    expect(summary).toMatch(/<tr data-question="exposure">[\s\S]*?data-answer="open"/);
    const ids = [...summary.matchAll(/<a href="#(KF-[0-9a-f]+)">/g)].map((m) => m[1]);
    expect(ids.length).toBeGreaterThan(3);
    for (const id of ids) expect(json.findings.map((f) => f.id)).toContain(id);
    expect(summary).toContain(`${json.summary.total} findings`);
    // The demo is not a whole cluster: the absence checks it could not run are said plainly.
    expect(summary).toContain('<h3>What could not be checked</h3>');
  });

  it('has a remediation plan ordered by impact that names every finding once and points at the kit files', () => {
    const plan = section(page, 'remediation-plan');
    expect(plan).toContain('<h2>Remediation plan</h2>');
    const named = [...plan.matchAll(/class="badge-link sev-[a-z]+" href="#(KF-[0-9a-f]+)"/g)].map((m) => m[1]);
    expect([...named].sort()).toEqual(json.findings.map((f) => f.id).sort());
    const severities = [...plan.matchAll(/<li class="plan-item" data-severity="([a-z]+)">/g)].map((m) => m[1]!);
    const rank = ['critical', 'high', 'medium', 'low', 'info'];
    expect(severities.map((s) => rank.indexOf(s))).toEqual([...severities.map((s) => rank.indexOf(s))].sort((a, b) => a - b));
    expect(plan).toContain('<code>patches/service-istio-system-istio-ingressgateway-clusterip.yaml</code>');
    expect(plan).toContain('<code class="command">kfscan remediate fixtures/demo --out-dir kfscan-kit</code>');
  });

  it('states its provenance', () => {
    const provenance = section(page, 'provenance');
    expect(provenance).toContain('2026-03-14 09:26:53 UTC');
    expect(provenance).toMatch(/version \d+\.\d+\.\d+/);
    expect(provenance).toContain('fixtures/<wbr>demo');
    expect(provenance).toContain('kubeflow-user-example-com');
    expect(provenance).toContain('nothing: every kind the checks need was read');
  });

  it('explains every Threat Matrix tag it uses, linked upstream', () => {
    const checks = section(page, 'checks');
    const used = [...new Set([...checks.matchAll(/<a href="#tag-([A-Z0-9.-]+)">/g)].map((m) => m[1]!))];
    expect(used.length).toBeGreaterThan(3);
    for (const tag of used) {
      const entry = threatMatrixEntry(tag)!;
      expect(entry, tag).not.toBeNull();
      expect(checks).toContain(`<tr id="tag-${tag}"><td><code>${tag}</code></td><td><a href="${entry.url}" rel="noopener noreferrer" target="_blank">`);
    }
    expect(threatMatrixEntry('MS-TA9005')!.url).toBe('https://microsoft.github.io/Threat-Matrix-for-Kubernetes/techniques/Exposed%20sensitive%20interfaces/');
  });

  it('carries the check pages, so that every link resolves inside the report or goes upstream', () => {
    const anchors = new Set([...page.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]));
    const hrefs = [...page.matchAll(/\shref="([^"]*)"/g)].map((m) => m[1]!);
    expect(hrefs.length).toBeGreaterThan(50);
    for (const href of hrefs) {
      if (href.startsWith('#')) expect(anchors.has(href.slice(1)), href).toBe(true);
      else expect(href, href).toMatch(/^https:\/\/(microsoft\.github\.io|attack\.mitre\.org|kubernetes\.io|istio\.io|falco\.org|prometheus\.io)\//);
    }
    expect(page).not.toContain('github.com/kfscan');
    const docs = section(page, 'check-docs');
    for (const id of new Set(json.findings.map((f) => f.checkId))) expect(docs).toContain(`<article class="check-page" id="check-${id}">`);
    expect(docs).toContain('<h4>How to fix</h4>');
  });

  it('shows a numbered excerpt of the source around each flagged field', () => {
    const findings = section(page, 'findings');
    const gateway = /<tr id="(KF-[0-9a-f]+)"[^>]*>[\s\S]*?Service istio-system\/istio-ingressgateway is type LoadBalancer[\s\S]*?<\/tr>\n<tr class="excerpt-row">[\s\S]*?<\/tr>/.exec(findings)![0];
    expect(gateway).toContain('<figure class="excerpt" data-excerpt="source"><figcaption class="wrap-any">fixtures/demo/istio.yaml</figcaption>');
    expect(gateway).toContain('<span class="excerpt-line flagged"><span class="ln">33</span>   type: LoadBalancer</span>');
    const lines = [...gateway.matchAll(/<span class="ln">\s*(\d+)<\/span>/g)].map((m) => Number(m[1]));
    expect(lines).toEqual([30, 31, 32, 33, 34, 35, 36]);
    // Every finding on an object has one; the cluster-wide ones (no Falco, no Prometheus) have no source.
    const located = json.findings.filter((f) => f.location !== null).length;
    expect(located).toBeGreaterThan(5);
    expect(page.match(/<figure class="excerpt"/g)!.length).toBe(located);
    // The table, JSON and SARIF stay as they were: excerpts are for the customer report only.
    expect(JSON.stringify(json)).not.toContain('excerpt');
  });
});

describe('engagement metadata in the other formats', () => {
  it('JSON, markdown and the table show it as text; .kfscan.yaml report: gives it, the flags win', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kfscan-engagement-'));
    writeFileSync(path.join(dir, 'pod.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata: {name: nb, namespace: ml}\nspec: {containers: [{name: c, image: "tensorflow/tensorflow:latest"}]}\n');
    writeFileSync(path.join(dir, '.kfscan.yaml'), `report:\n  title: ${JSON.stringify(ENGAGEMENT.title)}\n  customer: ${JSON.stringify(ENGAGEMENT.customer)}\n`);
    const json = JSON.parse((await runCli(['scan', '.', '-f', 'json', '--fail-on', 'none', '--assessor', ENGAGEMENT.assessor], { cwd: dir })).stdout) as { engagement: unknown };
    expect(json.engagement).toEqual(ENGAGEMENT);
    expect(reportSchemaErrors(json)).toEqual([]);
    const raw = (await runCli(['scan', '.', '-f', 'json', '--fail-on', 'none', '--assessor', ENGAGEMENT.assessor], { cwd: dir })).stdout;
    expect(raw).not.toMatch(HIDDEN);

    const markdown = (await runCli(['scan', '.', '-f', 'markdown', '--fail-on', 'none', '--title', 'Flag title'], { cwd: dir })).stdout;
    expect(markdown).toContain('**Report:** `Flag title` · **Customer:** `ACME x" onmouseover="window.__kfscanPwned = \'attr\'" data-x="`');
    // Wide enough for the engagement on one line (the table wraps lines at its width).
    const table = (await runCli(['scan', '.', '--fail-on', 'none', '--no-color', '--assessor', ENGAGEMENT.assessor], { cwd: dir, env: { COLUMNS: '400' } })).stdout;
    expect(table.split('\n')[0]).toBe(`Report: ${ENGAGEMENT.title} | Customer: ${ENGAGEMENT.customer} | Assessor: Jane ${HOSTILE.image} \\x1b[2J\\u202e::error::x`);
    expect(table).not.toMatch(HIDDEN);

    writeFileSync(path.join(dir, '.kfscan.yaml'), `report:\n  title: "${'x'.repeat(201)}"\n`);
    const tooLong = await runCli(['scan', '.'], { cwd: dir });
    expect(tooLong.code).toBe(2);
    expect(tooLong.stderr).toContain('.kfscan.yaml:2:10: "report.title" must be at most 200 characters long');
    expect((await runCli(['scan', '.', '--no-config', '--customer', ' '], { cwd: dir })).stderr).toContain('--customer takes a text of 1 to 200 characters');
  });
});

describe('check pages rendered into the report', () => {
  it('escape HTML, drop images and dangerous links, and keep links upstream or to other bundled pages', () => {
    const page = [
      '# x',
      '',
      '## What it detects',
      '',
      '<script>window.__kfscanPwned=1</script> <img src=x onerror=alert(1)>',
      '',
      '[js](javascript:alert(1)) [other](../egress-unrestricted/README.md) [unbundled](../nope/README.md) [docs](../../docs/x.md) [k8s](https://kubernetes.io/docs/concepts/services-networking/service/) ![pic](https://example.com/p.png)',
    ].join('\n');
    const html = renderCheckPage(page, new Set(['egress-unrestricted'])).value;
    expect(html).not.toMatch(/<script|<img|href="javascript:|<[a-z][^>]*\son[a-z]+=/i);
    expect(html).toContain('&lt;script&gt;');
    expect(html).toContain('<h4>What it detects</h4>');
    expect(html).toContain('<a href="#check-egress-unrestricted">other</a>');
    expect(html).toContain('<a href="https://kubernetes.io/docs/concepts/services-networking/service/" rel="noopener noreferrer" target="_blank">k8s</a>');
    expect(html).toContain('unbundled');
    expect(html).not.toContain('href="../');
    expect(html).toContain('<span class="image-text">[pic]</span>');
  });
});

const server = useApiServers();

describe('a live scan', () => {
  it('states each cluster version and platform, and shows the live object fields, secrets redacted', async () => {
    const eks = await server({ fixtures: ['fixtures/demo'], kubernetesVersion: 'v1.31.4-eks-2d5f260' });
    const hostile = await server({ fixtures: ['fixtures/secret-markers/auth.yaml', 'fixtures/secret-markers/workloads.yaml'], kubernetesVersion: `v1.30.0 ${HOSTILE.script}` });
    const config = kubeconfigFile([
      { name: 'prod', server: eks },
      { name: 'lab', server: hostile },
    ]);
    const json = await runCli(['cluster', '--kubeconfig', config, '--all-contexts', '-f', 'json', '--fail-on', 'none'], { env: EPOCH });
    const report = JSON.parse(json.stdout) as JsonReport & { provenance: { scannedAt: string; inputs: { clusters: unknown[]; namespaces: string[] } } };
    expect(reportSchemaErrors(report)).toEqual([]);
    expect(report.provenance.scannedAt).toBe('2026-03-14T09:26:53.000Z');
    // A version that is not what a real server sends is not repeated.
    expect(report.provenance.inputs.clusters).toEqual([
      { context: 'prod', kubernetesVersion: 'v1.31.4-eks-2d5f260', platform: 'Amazon EKS' },
      { context: 'lab', kubernetesVersion: null, platform: null },
    ]);
    expect(report.provenance.inputs.namespaces).toContain('istio-system');
    expect(eks.requests.filter((r) => r.path === '/version').map((r) => r.method)).toEqual(['GET']);

    const html = await runCli(['cluster', '--kubeconfig', config, '--all-contexts', '-f', 'html', '--fail-on', 'none'], { env: EPOCH });
    const page = html.stdout;
    expect(page).toContain('<tr><td class="wrap-any">prod</td><td>v1.31.4-eks-2d5f260</td><td>Amazon EKS</td></tr>');
    expect(page).toContain('<code class="command">kfscan remediate --cluster --kubeconfig');
    const excerpts = [...page.matchAll(/<figure class="excerpt" data-excerpt="object">[\s\S]*?<\/figure>/g)].map((m) => m[0]);
    expect(excerpts.length).toBeGreaterThan(3);
    const gateway = excerpts.find((e) => e.includes('istio-ingressgateway') && e.includes('LoadBalancer'))!;
    expect(gateway).toMatch(/<span class="excerpt-line flagged"><span class="ln">\s*\d+<\/span> {3}type: LoadBalancer<\/span>/);
    expect(page).not.toMatch(/KFMARK/);
    expect(readFileSync(config, 'utf8')).toContain('lab');
  });
});
