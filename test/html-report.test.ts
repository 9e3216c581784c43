import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SEVERITIES, countBySeverity } from '../src/core/severity.js';
import type { ScanResult } from '../src/core/types.js';
import { htmlReport } from '../src/reporters/html/report.js';
import { escapeHtml } from '../src/reporters/html/markup.js';
import { runCli } from './helpers/in-process.js';
import { kfscan } from './helpers/cli.js';
import { ATTACK_PATH, HOSTILE, demoResult, finding, liveTwoClusters, result } from './helpers/results.js';

const AT = new Date('2026-03-14T09:26:53Z');
const context = { version: '0.0.0-test', color: false, width: 120, generatedAt: AT, attackPath: ATTACK_PATH };

function block(page: string, tag: 'style' | 'script'): string {
  const match = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(page);
  if (!match) throw new Error(`no <${tag}> block`);
  return match[1]!;
}

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('base64');

/** Every tag in the page: all `<` from a scan result are escaped, so each of these was written by kfscan. */
const tags = (page: string): string[] => page.match(/<[a-zA-Z][^>]*>/g) ?? [];

/** A tag with its attribute values blanked: what is left is names, which no scan result may add. */
const attributeNames = (tag: string): string => tag.replace(/"[^"]*"/g, '""');

function hostileResult(base: ScanResult): ScanResult {
  const [first, ...rest] = base.findings;
  return {
    ...base,
    target: { mode: 'manifests', paths: [`deploy/</title>${HOSTILE.script}`] },
    findings: [
      {
        ...first!,
        resource: { apiVersion: 'v1', kind: 'Pod', namespace: HOSTILE.attribute, name: HOSTILE.script },
        location: { file: `deploy/${HOSTILE.image}.yaml`, line: 7, column: 3 },
        message: `runs ${HOSTILE.image} from ${HOSTILE.bidi}`,
        title: `Title ${HOSTILE.script}`,
        remediation: `Run \`kubectl delete pod ${HOSTILE.script}\` and <b>pin</b> images`,
        docsUrl: 'javascript:window.__kfscanPwned=1',
        related: [{ resource: { apiVersion: 'v1', kind: 'Service', namespace: 'a', name: HOSTILE.image }, location: null, note: HOSTILE.script }],
      },
      ...rest,
    ],
    errors: [{ file: `deploy/${HOSTILE.script}.yaml`, line: 1, message: HOSTILE.image }],
  };
}

describe('HTML report', () => {
  it('has every section, in order, and a strict Content-Security-Policy allowing its own blocks by hash', async () => {
    const page = htmlReport(await demoResult(), context);
    expect(page.startsWith('<!DOCTYPE html>\n<html lang="en">')).toBe(true);
    const ids = [...page.matchAll(/<section id="([a-z-]+)"/g)].map((m) => m[1]);
    expect(ids).toEqual(['executive-summary', 'remediation-plan', 'summary', 'attack-path', 'findings', 'coverage', 'provenance', 'checks']);

    const head = page.slice(page.indexOf('<head>'), page.indexOf('</head>'));
    expect(head.indexOf('http-equiv="Content-Security-Policy"')).toBeLessThan(head.indexOf('<style>'));
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(head)![1]!.replace(/&#39;/g, "'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('unsafe');
    expect(csp).toContain(`style-src 'sha256-${sha256(block(page, 'style'))}'`);
    expect(csp).toContain(`script-src 'sha256-${sha256(block(page, 'script'))}'`);
    // Nothing that would need a fetch or an inline style attribute the policy would block.
    for (const tag of tags(page)) expect(attributeNames(tag)).not.toMatch(/\s(src|style|srcset|background)=|<(link|img|iframe|object|embed|base)\b/i);
    expect(tags(page).filter((t) => t.startsWith('<script'))).toEqual(['<script>']);
  });

  it('states what was scanned, when, with which version and checks', async () => {
    const demo = await demoResult();
    const page = htmlReport(demo, context);
    expect(page).toContain('<li>fixtures/demo</li>');
    expect(page).toContain(`${demo.scanned.resources} resources from 4 files`);
    expect(page).toContain('<time datetime="2026-03-14T09:26:53.000Z">2026-03-14 09:26:53 UTC</time>');
    expect(page).toContain('<dd>kfscan 0.0.0-test</dd>');
    expect(page).toContain(`${demo.checks.length} checks selected`);
    for (const check of demo.checks) expect(page).toContain(`<code>${check.id}</code><br>`);
    expect(htmlReport(demo, { ...context, generatedAt: undefined })).toContain('time not recorded');
  });

  it('counts findings by severity in the tiles, the chart and the rows', async () => {
    const base = await demoResult();
    const extra = [finding('mfa-not-enforced', { severity: 'info' }), finding('egress-unrestricted', { severity: 'medium' }), finding('falco-missing', { severity: 'high', resource: null })];
    const scan = { ...base, findings: [...base.findings, ...extra] };
    const page = htmlReport(scan, context);
    const counts = countBySeverity(scan.findings);
    expect(page).toContain(`data-count="total">${counts.total}<`);
    for (const severity of SEVERITIES) {
      expect(page).toContain(`data-count="${severity}">${counts[severity]}<`);
      expect(page.match(new RegExp(`<tr(?: id="KF-[0-9a-f]+")? data-severity="${severity}"`, 'g'))?.length ?? 0).toBe(counts[severity]);
    }
    expect(page).toMatch(new RegExp(`aria-label="Findings by severity: ${SEVERITIES.map((s) => `${counts[s]} ${s}`).join(', ')}"`));
    // Filters offer only severities that occur, each with its count.
    expect(page).toContain(`value="critical" checked> <span class="badge sev-critical">critical</span> ${counts.critical}</label>`);
    expect(page).not.toContain('value="low"');
    expect(page).toContain('<td class="wrap-any">(cluster-wide)</td>');
  });

  it('groups findings by category in attack order, with location, fix and docs link', async () => {
    const demo = await demoResult();
    const page = htmlReport(demo, context);
    const categories = [...page.matchAll(/data-category="([a-z-]+)"/g)].map((m) => m[1]);
    // Attack order: the contract's category order, from the internet to the alerts.
    const order = ['exposure', 'auth', 'mfa', 'mutable-ml-image', 'miner', 'falco-missing', 'falco-rules', 'prometheus-missing', 'alerting-gap', 'hardening'];
    expect(categories).toEqual(order.filter((category) => demo.findings.some((f) => f.category === category)));
    expect(categories.length).toBeGreaterThan(1);
    expect(page).toContain('fixtures/<wbr>demo/<wbr>istio.yaml:33:3');
    // kfscan has no documentation site: a built-in check's page is the one the package ships.
    expect(page).toContain('documentation: checks/ingress-gateway-exposed/README.md');
    expect(page).not.toContain('github.com/kfscan');
    expect(page).toContain('<strong>How to fix:</strong> Set the Service to type ClusterIP and reach the dashboard with <code>kubectl port-forward');
  });

  it('escapes manifest text in content and attributes, and links only http(s) docs', async () => {
    const page = htmlReport(hostileResult(await demoResult()), context);
    const text = page.replaceAll('<wbr>', '');
    // The one script and its one hash-allowed block are kfscan's own.
    expect(page.match(/<script/gi)).toHaveLength(1);
    expect(page).not.toMatch(/<img|<b>|<\/title><script/i);
    for (const tag of tags(page)) {
      expect(attributeNames(tag), tag).not.toMatch(/\son[a-z]+\s*=/i);
      expect(tag, tag).not.toMatch(/href="(?!https?:|#)/);
    }
    expect(page).toContain(escapeHtml(HOSTILE.script));
    expect(page).toContain('&lt;script&gt;window.__kfscanPwned = &quot;script&quot;&lt;/script&gt;');
    expect(text).toContain('Pod x&quot; onmouseover=&quot;window.__kfscanPwned = &#39;attr&#39;&quot; data-x=&quot;/&lt;script&gt;');
    expect(page).toContain('<title>Kubeflow attack-path assessment: deploy/&lt;/title&gt;&lt;script&gt;');
    expect(page).toContain('<code>kubectl delete pod &lt;script&gt;');
    expect(page).toContain('&lt;b&gt;pin&lt;/b&gt;');
    expect(page).toContain('documentation: javascript:window.__kfscanPwned=1');
    // A bidi override would reorder what the client reads; it is shown as an escape.
    expect(page).not.toContain('\u202e');
    expect(page).toContain('gpu\\u202eexe.sh');
  });

  it('escapes context names in the data attributes the filters read', () => {
    const page = htmlReport(liveTwoClusters(HOSTILE.attribute), context);
    const escaped = escapeHtml(HOSTILE.attribute);
    expect(page).toContain(`data-context="${escaped}"`);
    expect(page).toContain(`data-context-view="${escaped}"`);
    expect(page).toContain(`data-filter="context" value="${escaped}" checked>`);
    for (const tag of tags(page)) expect(attributeNames(tag), tag).not.toMatch(/\son[a-z]+\s*=/i);
  });

  it('renders a live multi-context scan: clusters, per-cluster counts, one attack path each, context filter', () => {
    const live = liveTwoClusters();
    const page = htmlReport(live, context);
    expect(page).toContain('<dt>Scope</dt><dd class="wrap-any">live cluster: prod-eu, staging</dd>');
    expect(page).toContain('420 resources in 2 contexts (live, read-only)');
    expect(page).toContain('<th class="col-location">Cluster</th>');
    expect(page).toMatch(/<tr data-context-view="prod-eu"><td class="wrap-any">prod-eu<\/td><td>4<\/td><td>1<\/td><td>0<\/td><td>1<\/td><td>0<\/td><td><strong>6<\/strong>/);
    expect(page.match(/<div class="path-block" data-context-view="[^"]+">/g)).toHaveLength(2);
    expect(page).toContain('<h3>Cluster context staging</h3>');
    expect(page).toContain('value="prod-eu" checked> prod-eu</label>');
    expect(page).toMatch(/<tr id="KF-[0-9a-f]+" data-severity="low" data-context="staging">/);
    // Location of a live finding is its cluster, not a file.
    expect(page).toMatch(/<td class="wrap-any">prod-eu<\/td>\n<td>Service istio-system\/istio-ingressgateway is type LoadBalancer/);
    // Coverage gaps are stated per cluster.
    expect(page).toContain('<tr><td>secrets</td><td>auth</td><td>staging</td><td>forbidden</td></tr>');
    expect(page).toContain('<tr><td><code>default-credentials</code></td><td>staging</td><td>could not read Secret auth/dex-passwords (forbidden)</td></tr>');
    // Attack path states are in the picture, per cluster.
    const nodeStates = [...page.matchAll(/class="attack-path attack-path-wide"[\s\S]*?<\/svg>/g)].map((svg) =>
      [...svg[0].matchAll(/data-step="([a-z]+)" data-state="([a-z]+)"/g)].map((m) => `${m[1]}:${m[2]}`).join(' '),
    );
    expect(nodeStates).toEqual([
      'entry:open gateway:open dashboard:open auth:open workloads:open detection:open alerting:clear',
      'entry:clear gateway:clear dashboard:clear auth:unknown workloads:open detection:clear alerting:clear',
    ]);
  });

  it('states coverage gaps plainly: out-of-scope checks, input errors, warnings, or none', () => {
    const gaps = htmlReport(
      result({
        outOfScope: ['falco-missing', 'prometheus-missing'],
        errors: [{ file: 'deploy/broken.yaml', line: 4, column: 2, message: 'invalid YAML: unexpected end' }],
        warnings: [{ file: 'deploy/values.yaml', line: 1, message: 'skipped: not a Kubernetes object' }],
      }),
      context,
    );
    const coverage = gaps.slice(gaps.indexOf('<section id="coverage"'), gaps.indexOf('<section id="checks"'));
    expect(coverage).toContain('<h3>Checks not run</h3>');
    expect(coverage).toContain('<li><code>falco-missing</code></li>');
    expect(coverage).toContain('deploy/<wbr>broken.yaml:4:2: invalid YAML: unexpected end');
    expect(coverage).toContain('1 document was skipped or scanned with a caveat');
    expect(gaps).toContain('2 of them not run: the input is not a whole cluster');
    expect(gaps).toContain('<td>not run (needs a whole cluster)</td>');

    const clean = htmlReport(result(), context);
    expect(clean).toContain('None: every input was read and every selected check reached a verdict.');
    expect(clean).toContain('<p class="none">No findings.</p>');
    expect(clean).not.toContain('id="filters"');
  });

  it('is deterministic: the same result and time give the same bytes', async () => {
    const [a, b] = await Promise.all([demoResult(), demoResult()]);
    expect(htmlReport(a, context)).toBe(htmlReport(b, context));
    const later = htmlReport(a, { ...context, generatedAt: new Date('2027-01-01T00:00:00Z') });
    expect(later).not.toBe(htmlReport(a, context));
    expect(later.replaceAll('2027-01-01T00:00:00.000Z', AT.toISOString()).replaceAll('2027-01-01 00:00:00', '2026-03-14 09:26:53')).toBe(
      htmlReport(a, context),
    );
  });
});

describe('kfscan scan --format html (built binary)', () => {
  const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'kfscan-html-'));

  it('writes the report to --output and to --report html=FILE, reproducibly with SOURCE_DATE_EPOCH', async () => {
    const dir = tmp();
    const env = { SOURCE_DATE_EPOCH: '1773480413' };
    const first = kfscan(['scan', 'fixtures/demo', '--format', 'html', '--output', path.join(dir, 'report.html')], { env });
    expect(first.code).toBe(1);
    expect(first.stdout).toBe('');
    // In-process, so the page is also the same whichever way the CLI runs.
    const second = await runCli(['scan', 'fixtures/demo', '--fail-on', 'none', '--format', 'json', '--report', `html=${path.join(dir, 'again.html')}`], { env });
    expect(second.code).toBe(0);
    const page = readFileSync(path.join(dir, 'report.html'), 'utf8');
    expect(readFileSync(path.join(dir, 'again.html'), 'utf8')).toBe(page);
    expect(page).toContain('2026-03-14 09:26:53 UTC');
    const total = JSON.parse(second.stdout).summary.total;
    expect(page).toContain(`data-count="total">${total}<`);
  });

  it('lists html and pdf among the formats, and writes a PDF to a file only', async () => {
    const run = kfscan(['scan', 'fixtures/demo', '--format', 'docx']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/unknown format "docx" \(use table, json, sarif, [a-z, ]*html, [a-z, ]*pdf\)/);
    const toStdout = await runCli(['scan', 'fixtures/demo', '--format', 'pdf']);
    expect(toStdout.code).toBe(2);
    expect(toStdout.stderr).toContain('--format pdf writes a file: give --output FILE.pdf');
  });
});
