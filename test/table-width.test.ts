// The table fits the screen: every line at most the terminal's width on a terminal, `$COLUMNS` or 120 when
// piped, never below 80, counted in display columns (string-width is the reference); long text wraps inside
// its cell; `--wide` adds the finding id and the related objects.
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import { outputWidth } from '../src/cli/reports.js';
import type { Finding, ScanResult } from '../src/core/types.js';
import { tableReport } from '../src/reporters/table.js';
import { wrapText } from '../src/reporters/text-wrap.js';
import { kfscan } from './helpers/cli.js';
import { runCli } from './helpers/in-process.js';
import { finding, result } from './helpers/results.js';

// eslint-disable-next-line no-control-regex -- colour codes take no columns
const widths = (text: string): number[] => text.replace(/\u001b\[[0-9;]*m/g, '').split('\n').map((line) => stringWidth(line));

/** A Kubeflow-sized scan: many namespaces and workloads, long generated names, a few wide-character names. */
function kubeflowSizedInput(): string {
  const docs: string[] = [
    `apiVersion: v1
kind: Service
metadata: {name: istio-ingressgateway, namespace: istio-system, labels: {app: istio-ingressgateway, istio: ingressgateway}}
spec:
  type: LoadBalancer
  selector: {app: istio-ingressgateway, istio: ingressgateway}
  ports: [{name: http2, port: 80, targetPort: 8080}]`,
    `apiVersion: apps/v1
kind: Deployment
metadata: {name: istio-ingressgateway, namespace: istio-system}
spec:
  selector: {matchLabels: {app: istio-ingressgateway, istio: ingressgateway}}
  template:
    metadata: {labels: {app: istio-ingressgateway, istio: ingressgateway}}
    spec: {containers: [{name: istio-proxy, image: docker.io/istio/proxyv2:1.24.0}]}`,
    `apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: kubeflow-gateway, namespace: kubeflow}
spec:
  selector: {istio: ingressgateway}
  servers: [{hosts: ['*'], port: {name: http, number: 80, protocol: HTTP}}]`,
  ];
  for (let team = 0; team < 40; team++) {
    const namespace = team % 7 === 0 ? `kubeflow-user-名前空間-${team}` : `kubeflow-user-team-${team}-example-com-data-science-platform`;
    docs.push(`apiVersion: v1\nkind: Namespace\nmetadata: {name: ${namespace}, labels: {app.kubernetes.io/part-of: kubeflow-profile}}`);
    for (let run = 0; run < 5; run++) {
      docs.push(`apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: training-pipeline-with-a-very-long-generated-name-${team}-${run}-x7k2p, namespace: ${namespace}, labels: {pipelines.kubeflow.org/kfp_sdk_version: 1.8.22}}
spec:
  templates:
    - name: train-on-gpu-with-the-latest-tensorflow-release
      container: {image: tensorflow/tensorflow:latest-gpu, command: [python, train.py]}`);
    }
  }
  return `${docs.join('\n---\n')}\n`;
}

describe('the table fits the screen', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kfscan-width-'));
  writeFileSync(path.join(dir, 'kubeflow.yaml'), kubeflowSizedInput());

  it.each([
    ['piped, no $COLUMNS: 120', {}, 120],
    ['$COLUMNS=80', { COLUMNS: '80' }, 80],
    ['$COLUMNS=100', { COLUMNS: '100' }, 100],
    ['$COLUMNS=60 is below the minimum: 80', { COLUMNS: '60' }, 80],
    ['$COLUMNS=250', { COLUMNS: '250' }, 250],
  ])('on a Kubeflow-sized input, %s', async (label, env: Record<string, string>, limit) => {
    // Piped with nothing set is the built binary's own stdout; the widths $COLUMNS asks for run in-process.
    const args = ['scan', dir, '--fail-on', 'none'];
    const run = label.startsWith('piped') ? kfscan(args, { env }) : await runCli(args, { env });
    expect(run.code).toBe(0);
    const lines = widths(run.stdout);
    expect(lines.length).toBeGreaterThan(200);
    expect(Math.max(...lines)).toBeLessThanOrEqual(limit);
    // The table uses the room it has.
    expect(Math.max(...lines)).toBeGreaterThan(limit - 10);
    expect(run.stdout.replace(/\n +/g, ' ')).toMatch(/^kfscan: \d+ findings .* in \d+ resources from 1 file/m);
  });

  it('--wide adds the finding ids and the related objects, and still fits', async () => {
    const plain = await runCli(['scan', 'fixtures/demo', '--fail-on', 'none'], { env: { COLUMNS: '160' } });
    const wide = await runCli(['scan', 'fixtures/demo', '--fail-on', 'none', '--wide'], { env: { COLUMNS: '160' } });
    const ids = await runCli(['scan', 'fixtures/demo', '--fail-on', 'none', '-f', 'json']);
    const findings = JSON.parse(ids.stdout).findings as Array<{ id: string }>;
    expect(plain.stdout).not.toMatch(/KF-[0-9a-f]{6}/);
    expect(wide.stdout).toMatch(/│ ID +│ Check +│ Resource +│ Location +│ Message +│ Related +│/);
    for (const { id } of findings) expect(wide.stdout).toContain(id);
    expect(Math.max(...widths(wide.stdout))).toBeLessThanOrEqual(160);
    const roomy = await runCli(['scan', 'fixtures/demo', '--fail-on', 'none', '--wide'], { env: { COLUMNS: '300' } });
    expect(roomy.stdout).toContain('ingress gateway pods: Deployment');
    // At 80 columns the related objects follow the message in its cell.
    const narrow = await runCli(['scan', 'fixtures/demo', '--fail-on', 'none', '--wide'], { env: { COLUMNS: '80' } });
    expect(narrow.stdout).toMatch(/│ ID +│ Check +│ Location +│ Resource \/ Message +│/);
    expect(Math.max(...widths(narrow.stdout))).toBeLessThanOrEqual(80);
  });
});

describe('the width the table gets', () => {
  const io = (stdout: { isTTY?: boolean; columns?: number }, env: Record<string, string> = {}) => ({ stdout: stdout as never, env });
  it.each([
    ['a terminal of 132 columns', io({ isTTY: true, columns: 132 }), 132],
    ['a terminal of 100 columns, whatever $COLUMNS says', io({ isTTY: true, columns: 100 }, { COLUMNS: '200' }), 100],
    ['a terminal of 60 columns: the minimum', io({ isTTY: true, columns: 60 }), 80],
    ['a pipe', io({}), 120],
    ['a pipe with $COLUMNS=90', io({}, { COLUMNS: '90' }), 90],
    ['a pipe with a nonsense $COLUMNS', io({}, { COLUMNS: 'wide' }), 120],
  ])('%s', (_label, value, expected) => {
    expect(outputWidth(value)).toBe(expected);
  });
});

describe('cells wrap by display width', () => {
  const long = (overrides: Partial<Finding>): Finding =>
    finding('kubeflow-dashboard-exposed', {
      resource: { apiVersion: 'v1', kind: 'Service', namespace: 'ネームスペース-とても長い名前の名前空間', name: '名前'.repeat(30) },
      location: { file: `manifests/${'deeply/nested/'.repeat(8)}gateway.yaml`, line: 4021, column: 3 },
      message: `${'全角の説明文 '.repeat(20)}and plain words ${'x'.repeat(300)}`,
      ...overrides,
    });

  it.each([80, 97, 120, 181])('every line of a report of wide characters and unbroken words fits %i columns', (width) => {
    const scan: ScanResult = result({ findings: [long({}), long({ checkId: 'a-check-id-far-longer-than-any-column-would-give-it-room-for' })] });
    const text = tableReport(scan, { version: 't', color: true, width, wide: true });
    expect(Math.max(...widths(text))).toBeLessThanOrEqual(width);
    // Nothing is cut off: every character of the message is in the table.
    const cells = text.replace(/[│┌┐└┘├┤┬┴┼─\s]/g, '');
    expect(cells).toContain('x'.repeat(40));
    expect(cells.split('全角の説明文').length - 1).toBeGreaterThanOrEqual(40);
  });

  it('keeps file:line together and breaks paths at slashes first', () => {
    expect(wrapText('fixtures/demo/istio.yaml:62', 26)).toEqual(['fixtures/demo/', 'istio.yaml:62']);
    expect(wrapText('istio-system/istio-ingressgateway', 17)).toEqual(['istio-system/', 'istio-', 'ingressgateway']);
    expect(wrapText('名前空間名前空間', 5)).toEqual(['名前', '空間', '名前', '空間']);
  });

  it('wraps a megabyte-long word in time linear in its length', () => {
    const lines = wrapText(`${'a:'.repeat(500_000)}1`, 40);
    expect(lines.join('')).toBe(`${'a:'.repeat(500_000)}1`);
    expect(Math.max(...lines.map((line) => line.length))).toBeLessThanOrEqual(40);
  });
});
