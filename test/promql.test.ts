import { describe, expect, it } from 'vitest';
import { classifyAlertExpr, type AlertClass, type GrowthSignal } from '../src/kube/promql/classify.js';
import { expandRecordingRules } from '../src/kube/promql/expand.js';
import { parseDuration, parsePromQL, type Expr } from '../src/kube/promql/parse.js';

function parse(source: string): Expr {
  const result = parsePromQL(source);
  if (!result.ok) throw new Error(`${source}: ${result.error}`);
  return result.expr;
}

const POD_GROWTH_2021 =
  '100 * avg_over_time(sum by (namespace) (kube_pod_info)[1h:1h]) / avg_over_time(sum by (namespace) (kube_pod_info)[1h:1h] offset 1d) > 125';
const CPU_GROWTH_2021 =
  '100 * avg_over_time(sum by (namespace) (rate(container_cpu_usage_seconds_total{container!="POD",container!=""}[5m]))[1h:1h]) / avg_over_time(sum by (namespace) (rate(container_cpu_usage_seconds_total{container!="POD",container!=""}[5m]))[1h:1h] offset 1d) > 150';

describe('classifyAlertExpr', () => {
  it.each<[string, AlertClass, GrowthSignal[]]>([
    // The two alerts of the 2021 write-up.
    [POD_GROWTH_2021, 'growth', ['pods']],
    [CPU_GROWTH_2021, 'growth', ['cpu']],
    // Other baselines: offset on both sides of a comparison, delta/deriv/predict_linear, long windows.
    ['count by (namespace) (kube_pod_info) > 1.25 * count by (namespace) (kube_pod_info offset 1d)', 'growth', ['pods']],
    ['count by (namespace) (kube_pod_info offset 1w) * 2 < count by (namespace) (kube_pod_info)', 'growth', ['pods']],
    ['sum by (namespace) (kube_pod_status_phase{phase="Running"}) - sum by (namespace) (kube_pod_status_phase{phase="Running"} offset 1h) > 20', 'growth', ['pods']],
    ['delta(count by (namespace) (kube_pod_created)[1h:5m]) > 10', 'growth', ['pods']],
    ['predict_linear(sum by (namespace) (kube_pod_owner)[2h:5m], 3600) > 200', 'growth', ['pods']],
    ['deriv(sum by (namespace) (rate(container_cpu_usage_seconds_total[5m]))[30m:1m]) > 0.05', 'growth', ['cpu']],
    ['sum by (namespace) (rate(container_cpu_usage_seconds_total[5m])) > 2 * avg_over_time(sum by (namespace) (rate(container_cpu_usage_seconds_total[5m]))[1d:1h])', 'growth', ['cpu']],
    // Ratio to another series: CPU used over CPU requested per namespace.
    ['sum by (namespace) (rate(container_cpu_usage_seconds_total[5m])) / sum by (namespace) (kube_pod_container_resource_requests{resource="cpu"}) > 1.5', 'growth', ['cpu']],
    // without(...) that keeps namespace but drops pod.
    ['sum without (pod, uid, pod_ip, host_ip, node, created_by_kind, created_by_name) (kube_pod_info) / sum without (pod, uid, pod_ip, host_ip, node, created_by_kind, created_by_name) (kube_pod_info offset 1d) > 1.3', 'growth', ['pods']],
    // Old cAdvisor label names pod_name / container_name.
    ['sum by (namespace) (rate(container_cpu_usage_seconds_total{container_name!="POD",pod_name!=""}[5m])) > 1.5 * sum by (namespace) (rate(container_cpu_usage_seconds_total{container_name!="POD",pod_name!=""}[5m] offset 1d))', 'growth', ['cpu']],
    // `by` written after the body, and a quoted label name.
    ['sum(kube_pod_info) by (namespace) / sum(kube_pod_info offset 1d) by ("namespace") > 1.25', 'growth', ['pods']],
    // A recorded name that was not expanded: the level comes from its `level:` prefix.
    ['sum by (namespace) (node_namespace_pod_container:container_cpu_usage_seconds_total:sum_rate5m) > 1.5 * sum by (namespace) (node_namespace_pod_container:container_cpu_usage_seconds_total:sum_rate5m offset 1d)', 'growth', ['cpu']],
    ['namespace:container_cpu_usage_seconds_total:sum_rate / namespace:container_cpu_usage_seconds_total:sum_rate offset 1d > 2', 'growth', ['cpu']],
    // GPU: a fixed ceiling on utilisation per namespace/pod counts; growth too.
    ['avg by (namespace, pod) (avg_over_time(DCGM_FI_DEV_GPU_UTIL[10m])) > 90', 'static-threshold', ['gpu']],
    ['DCGM_FI_PROF_GR_ENGINE_ACTIVE > 0.8', 'static-threshold', ['gpu']],
    ['sum by (namespace) (DCGM_FI_DEV_GPU_UTIL) > 1.5 * sum by (namespace) (DCGM_FI_DEV_GPU_UTIL offset 1d)', 'growth', ['gpu']],
    // Static thresholds do not count as growth.
    ['sum by (namespace) (kube_pod_info) > 100', 'static-threshold', []],
    ['sum by (namespace) (rate(container_cpu_usage_seconds_total[5m])) > 4', 'static-threshold', []],
    ['avg_over_time(sum by (namespace) (kube_pod_info)[1d:1h]) > 50', 'static-threshold', []],
    // increase() of the CPU counter is CPU seconds used, not growth.
    ['sum by (namespace) (increase(container_cpu_usage_seconds_total[1h])) > 3600', 'static-threshold', []],
    // A baseline, but not per namespace: per node, per pod, or cluster-wide.
    ['sum by (node) (rate(container_cpu_usage_seconds_total[5m])) / sum by (node) (rate(container_cpu_usage_seconds_total[5m] offset 1d)) > 1.5', 'static-threshold', []],
    ['rate(container_cpu_usage_seconds_total[5m]) > 2 * rate(container_cpu_usage_seconds_total[5m] offset 1d)', 'static-threshold', []],
    ['sum without (namespace, pod) (kube_pod_info) > 1.2 * sum without (namespace, pod) (kube_pod_info offset 1d)', 'static-threshold', []],
    ['count(kube_pod_info) / count(kube_pod_info offset 1d) > 1.25', 'static-threshold', []],
    ['avg(DCGM_FI_DEV_GPU_UTIL) > 90', 'static-threshold', []],
    // A drop alert: the past above the present.
    ['count by (namespace) (kube_pod_info offset 1d) > 2 * count by (namespace) (kube_pod_info)', 'none', []],
    ['sum by (namespace) (kube_pod_info) / sum by (namespace) (kube_pod_info offset 1d) < 0.5', 'none', []],
    // kube-prometheus style alerts: the kube_pod_owner join (group_left) is labels, not what is measured.
    [
      'sum by (namespace, pod, cluster) (max by (namespace, pod, cluster) (kube_pod_status_phase{job="kube-state-metrics", phase=~"Pending|Unknown|Failed"}) * on (namespace, pod, cluster) group_left(owner_kind) topk by (namespace, pod, cluster) (1, max by (namespace, pod, owner_kind, cluster) (kube_pod_owner{owner_kind!="Job"}))) > 0',
      'static-threshold',
      [],
    ],
    ['count by (cluster, node) ((kube_pod_status_phase{phase="Running"} == 1) * on (pod, namespace, cluster) group_left(node) topk by (pod, namespace, cluster) (1, kube_pod_info)) / max by (cluster, node) (kube_node_status_capacity{resource="pods"} != 1) > 0.95', 'static-threshold', []],
    // No threshold on a tracked metric at all.
    ['sum by (namespace) (kube_pod_info) / sum by (namespace) (kube_pod_info offset 1d)', 'none', []],
    ['absent(kube_pod_info)', 'none', []],
    ['up{job="kube-state-metrics"} == 0', 'none', []],
    ['sum by (namespace) (rate(container_cpu_cfs_throttled_periods_total[5m])) > 0.25', 'none', []],
    ['kube_resourcequota{type="used"} / ignoring(type) kube_resourcequota{type="hard"} > 0.9', 'none', []],
  ])('%s -> %s %j', (source, cls, covers) => {
    const result = classifyAlertExpr(parse(source));
    expect(result.class).toBe(cls);
    expect(result.covers).toEqual(covers);
  });

  it('expands recording rules recursively before classifying', () => {
    const rules = new Map([
      ['namespace:pods:count', [parse('count by (namespace) (kube_pod_info)')]],
      ['namespace:pods:growth', [parse('namespace:pods:count / namespace:pods:count offset 1d')]],
    ]);
    const expanded = expandRecordingRules(parse('namespace:pods:growth > 1.25'), rules);
    expect(classifyAlertExpr(expanded).covers).toEqual(['pods']);
  });

  it('expands the kube-prometheus CPU recording rule, whose kube_pod_info join is not a pod count', () => {
    const rules = new Map([
      [
        'node_namespace_pod_container:container_cpu_usage_seconds_total:sum_rate5m',
        [
          parse(
            'sum by (cluster, namespace, pod, container) (rate(container_cpu_usage_seconds_total{job="kubelet", metrics_path="/metrics/cadvisor", image!=""}[5m])) * on (cluster, namespace, pod) group_left(node) topk by (cluster, namespace, pod) (1, max by (cluster, namespace, pod, node) (kube_pod_info{node!=""}))',
          ),
        ],
      ],
    ]);
    const alert = parse(
      'sum by (namespace) (node_namespace_pod_container:container_cpu_usage_seconds_total:sum_rate5m) > 1.5 * sum by (namespace) (node_namespace_pod_container:container_cpu_usage_seconds_total:sum_rate5m offset 1d)',
    );
    const result = classifyAlertExpr(expandRecordingRules(alert, rules));
    expect(result.covers).toEqual(['cpu']);
    expect(result.signals.pods).toBeUndefined();
  });

  it('survives recording rules that refer to each other in a cycle', () => {
    const rules = new Map([
      ['a:x:sum', [parse('b:x:sum + 1')]],
      ['b:x:sum', [parse('a:x:sum * 2')]],
    ]);
    const expanded = expandRecordingRules(parse('a:x:sum > 3'), rules);
    expect(classifyAlertExpr(expanded).class).toBe('none');
  });

  it('combines several recording rules for one name', () => {
    const rules = new Map([['namespace:usage:x', [parse('vector(1)'), parse('sum by (namespace) (rate(container_cpu_usage_seconds_total[5m]))')]]]);
    const expanded = expandRecordingRules(parse('namespace:usage:x > 1.5 * namespace:usage:x offset 1d'), rules);
    expect(classifyAlertExpr(expanded).covers).toEqual(['cpu']);
  });
});

describe('parsePromQL', () => {
  it('reports syntax errors instead of throwing', () => {
    expect(parsePromQL('sum by (namespace) (kube_pod_info').ok).toBe(false);
    expect(parsePromQL('').ok).toBe(false);
    expect(parsePromQL('kube_pod_info >').ok).toBe(false);
  });

  it('ignores comments inside expressions', () => {
    expect(parse('# pods per namespace\nsum by (namespace) (kube_pod_info) # now\n> 3')).toMatchObject({ type: 'binary', op: '>' });
  });

  it('reads metric names from __name__ matchers and quoted names', () => {
    expect(parse('{__name__="kube_pod_info", namespace="x"}')).toEqual({
      type: 'selector',
      name: 'kube_pod_info',
      matchers: [{ name: 'namespace', op: '=', value: 'x' }],
    });
  });

  it('reads offsets, negative offsets and subquery ranges in seconds', () => {
    expect(parse('x offset 1h30m')).toMatchObject({ type: 'offset', seconds: 5400 });
    expect(parse('x offset -1d')).toMatchObject({ type: 'offset', seconds: -86400 });
    expect(parse('x[1d:5m]')).toMatchObject({ type: 'subquery', range: 86400 });
  });

  it('binds offset, @ and subquery ranges to the last operand, as Prometheus does', () => {
    expect(parse('a / b offset 1d')).toMatchObject({ type: 'binary', lhs: { type: 'selector', name: 'a' }, rhs: { type: 'offset', seconds: 86400 } });
    expect(parse('a - b[1h:]')).toMatchObject({ type: 'binary', rhs: { type: 'subquery', range: 3600 } });
    expect(parse('-a offset 1h')).toMatchObject({ type: 'unary', expr: { type: 'offset', seconds: 3600 } });
    expect(parse('(a / b)[1h:]')).toMatchObject({ type: 'subquery', expr: { type: 'binary', op: '/' } });
  });

  it.each([
    ['1h', 3600],
    ['1h30m', 5400],
    ['500ms', 0.5],
    ['90', 90],
    ['1y', 31536000],
    ['1x', null],
    ['', null],
  ])('parseDuration(%s) = %s', (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
  });
});
