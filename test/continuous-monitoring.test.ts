// deploy/serve/ as `kubectl apply -k` would send it (rendered by the real kubectl kustomize), and its alert
// rules read by Prometheus' own PromQL grammar against the metrics kfscan writes. promtool, which would run
// the rules' unit tests, is not on the npm registry; the rules are checked here instead: every expression
// parses, and every series it selects exists in kfscan's output for a scan where the alert's condition holds.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../src/core/types.js';
import { parsePromQL, type Expr, type LabelMatcher } from '../src/kube/promql/parse.js';
import { openMetricsReport } from '../src/reporters/openmetrics.js';
import type { PolicyRule } from './api-server/index.js';
import { ROOT } from './helpers/cli.js';
import { validateAgainstSchema } from './helpers/k8s-schema.js';
import { parseOpenMetricsStrict, type Sample } from './helpers/openmetrics.js';
import { spawnCollect } from './helpers/process.js';
import { ATTACK_PATH, demoResult } from './helpers/results.js';

async function render(dir: string): Promise<KubeObject[]> {
  const run = await spawnCollect('kubectl', ['kustomize', path.join(ROOT, dir)], { timeoutMs: 60_000 });
  expect(run.code, run.stderr).toBe(0);
  return parseAllDocuments(run.stdout).map((doc) => doc.toJS() as KubeObject);
}

const byKind = (objects: readonly KubeObject[], kind: string): KubeObject[] => objects.filter((o) => o.kind === kind);
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const spec = (object: KubeObject | undefined): any => (object as Record<string, unknown> | undefined)?.['spec'];

describe('deploy/serve/', () => {
  it('renders with the real kubectl kustomize: the shared base, a kfscan serve Deployment, its Service, ServiceMonitor and PrometheusRule; deploy/ keeps its CronJob', async () => {
    const [serve, cronjob] = await Promise.all([render('deploy/serve'), render('deploy')]);
    expect(serve.map((o) => o.kind).sort()).toEqual(['ClusterRole', 'ClusterRoleBinding', 'Deployment', 'Namespace', 'PrometheusRule', 'Service', 'ServiceAccount', 'ServiceMonitor']);
    expect(cronjob.map((o) => o.kind).sort()).toEqual(['ClusterRole', 'ClusterRoleBinding', 'CronJob', 'Namespace', 'ServiceAccount']);
    for (const object of serve) await validateAgainstSchema(object);

    const [deployment] = byKind(serve, 'Deployment');
    const pod = spec(deployment).template.spec;
    const [container] = pod.containers;
    expect(container.args.slice(0, 2)).toEqual(['serve', '--in-cluster']);
    expect(container.args.join(' ')).toContain('--interval 1h');
    expect(pod.serviceAccountName).toBe(byKind(serve, 'ServiceAccount')[0]!.metadata.name);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65532 });
    expect(container.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(spec(deployment).replicas).toBe(1);
    // The Service, the ServiceMonitor and the probes all point at the port kfscan listens on.
    const listen = Number(container.args[container.args.indexOf('--listen') + 1].replace(/^.*:/, ''));
    expect(container.ports).toEqual([{ name: 'metrics', containerPort: listen, protocol: 'TCP' }]);
    const [service] = byKind(serve, 'Service');
    expect(spec(service).type).toBe('ClusterIP');
    expect(spec(service).ports[0]).toMatchObject({ name: 'metrics', targetPort: 'metrics' });
    expect(spec(service).selector).toEqual(spec(deployment).selector.matchLabels);
    const [monitor] = byKind(serve, 'ServiceMonitor');
    expect(spec(monitor).selector.matchLabels).toEqual(service!.metadata.labels);
    expect(spec(monitor).endpoints).toEqual([expect.objectContaining({ port: 'metrics', path: '/metrics' })]);
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'metrics' });
  });

  it('is read-only: RBAC grants get, list and watch only, and Secrets only by name', async () => {
    for (const dir of ['deploy', 'deploy/serve']) {
      const objects = await render(dir);
      const roles = objects.filter((o) => o.kind === 'ClusterRole' || o.kind === 'Role');
      expect(roles.length).toBeGreaterThan(0);
      const rules = roles.flatMap((role) => (role as unknown as { rules: PolicyRule[] }).rules);
      for (const rule of rules) {
        for (const verb of rule.verbs) expect(['get', 'list', 'watch'], `${dir}: ${rule.resources.join(',')}`).toContain(verb);
        if (rule.resources.includes('secrets')) expect(rule.resourceNames?.length).toBeGreaterThan(0);
      }
      expect(objects.filter((o) => /Binding$/.test(o.kind)).every((binding) => (binding as unknown as { roleRef: { name: string } }).roleRef.name === roles[0]!.metadata.name)).toBe(true);
    }
  });
});

interface AlertRule {
  alert: string;
  expr: string;
  labels: { severity: string };
  annotations: { summary: string };
}

function alertRules(): AlertRule[] {
  const [rule] = parseAllDocuments(readFileSync(path.join(ROOT, 'deploy/serve/prometheusrule.yaml'), 'utf8')).map((doc) => doc.toJS() as { spec: { groups: Array<{ rules: AlertRule[] }> } });
  return rule!.spec.groups.flatMap((group) => group.rules);
}

function selectors(expr: Expr): Array<{ name: string | null; matchers: LabelMatcher[] }> {
  switch (expr.type) {
    case 'selector':
      return [expr];
    case 'matrix':
    case 'subquery':
    case 'offset':
    case 'at':
    case 'unary':
      return selectors(expr.expr);
    case 'call':
    case 'aggregate':
      return expr.args.flatMap(selectors);
    case 'binary':
      return [...selectors(expr.lhs), ...selectors(expr.rhs)];
    default:
      return [];
  }
}

function groupings(expr: Expr): string[] {
  if (expr.type === 'aggregate') return [...(expr.grouping?.labels ?? []), ...expr.args.flatMap(groupings)];
  if (expr.type === 'binary') return [...groupings(expr.lhs), ...groupings(expr.rhs)];
  if (expr.type === 'call') return expr.args.flatMap(groupings);
  return [];
}

function matches(sample: Sample, matchers: readonly LabelMatcher[]): boolean {
  return matchers.every(({ name, op, value }) => {
    const actual = sample.labels[name] ?? '';
    if (op === '=') return actual === value;
    if (op === '!=') return actual !== value;
    const full = new RegExp(`^(?:${value})$`).test(actual);
    return op === '=~' ? full : !full;
  });
}

describe('the PrometheusRule of deploy/serve/', () => {
  it('has the alerts the issue asks for, each with a severity and a summary', () => {
    const rules = alertRules();
    expect(rules.map((rule) => rule.alert)).toEqual(expect.arrayContaining(['KfscanKubeflowDashboardReachable', 'KfscanMinerIndicator', 'KfscanFalcoMissing', 'KfscanGrowthAlertsMissing', 'KfscanScanFailing', 'KfscanAbsent']));
    for (const rule of rules) {
      expect(['critical', 'warning', 'info']).toContain(rule.labels.severity);
      expect(rule.annotations.summary.length).toBeGreaterThan(10);
    }
  });

  it("every expression parses with Prometheus' grammar and selects series kfscan writes", async () => {
    // The demo: a dashboard exposed, a miner, no Falco and no growth alerts, so every attack alert's series is there.
    const demo = await demoResult();
    const families = parseOpenMetricsStrict(openMetricsReport(demo, { version: '0.1.0', color: false, width: 120, attackPath: ATTACK_PATH, generatedAt: new Date(), scanRuns: [{ context: null, durationSeconds: 1, succeeded: true, lastSuccess: new Date() }] }));
    const samples = [...families.values()].flatMap((family) => family.samples);
    for (const rule of alertRules()) {
      const parsed = parsePromQL(rule.expr);
      expect(parsed.ok, `${rule.alert}: ${parsed.ok ? '' : parsed.error}`).toBe(true);
      if (!parsed.ok) continue;
      const used = selectors(parsed.expr);
      expect(used.length, rule.alert).toBeGreaterThan(0);
      for (const selector of used) {
        const named = samples.filter((sample) => sample.name === selector.name);
        expect(named.length, `${rule.alert}: ${selector.name} is a metric kfscan writes`).toBeGreaterThan(0);
        // absent() is about the series being missing; every other selector must find its series in a scan that shows the problem.
        expect(named.some((sample) => matches(sample, selector.matchers)), `${rule.alert}: ${rule.expr}`).toBe(true);
      }
      for (const label of groupings(parsed.expr)) expect(samples.some((sample) => label in sample.labels), `${rule.alert}: by (${label})`).toBe(true);
    }
  });

  it('the attack alerts select nothing for a scan where nothing is open', async () => {
    const demo = await demoResult();
    const clean = { ...demo, findings: [] };
    const families = parseOpenMetricsStrict(openMetricsReport(clean, { version: '0.1.0', color: false, width: 120, attackPath: ATTACK_PATH }));
    const samples = [...families.values()].flatMap((family) => family.samples);
    for (const rule of alertRules().filter((r) => ['KfscanKubeflowDashboardReachable', 'KfscanMinerIndicator', 'KfscanFalcoMissing', 'KfscanGrowthAlertsMissing'].includes(r.alert))) {
      const parsed = parsePromQL(rule.expr);
      if (!parsed.ok) throw new Error(parsed.error);
      // Each of these is `<aggregate of one selector> > 0` or `== 1`: with nothing found, every selected series is 0.
      for (const selector of selectors(parsed.expr)) {
        const selected = samples.filter((sample) => sample.name === selector.name && matches(sample, selector.matchers));
        expect(selected.length, rule.alert).toBeGreaterThan(0);
        expect(selected.every((sample) => sample.value === 0), rule.alert).toBe(true);
      }
    }
  });
});
