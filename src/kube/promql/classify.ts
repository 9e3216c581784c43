import type { Expr, Grouping } from './parse.js';

/** What a growth alert watches: pod count (kube-state-metrics), container CPU (cAdvisor), GPU use (DCGM). */
export type GrowthSignal = 'pods' | 'cpu' | 'gpu';

/**
 * `growth`: compares a per-namespace value with a baseline (its own past, its change, or another series)
 * against a threshold. `static-threshold`: compares the metric with a fixed number, or a baseline that is
 * not per namespace. `none`: no threshold on the metric at all.
 */
export type AlertClass = 'growth' | 'static-threshold' | 'none';

/** How fine the result is: per pod (or raw series), per namespace, or aggregated over namespaces. */
export type Level = 'pod' | 'namespace' | 'cluster';

export interface SignalVerdict {
  class: AlertClass;
  /** Finest level at which the metric meets a threshold. */
  level: Level;
  /** The threshold applies to a change against a baseline (true for growth; may be true at the wrong level). */
  baseline: boolean;
}

export interface AlertClassification {
  class: AlertClass;
  signals: Partial<Record<GrowthSignal, SignalVerdict>>;
  /**
   * Signals for which this alert is the alert kfscan asks for: per-namespace growth of pods or CPU; for
   * GPUs any threshold on utilisation that still tells which namespace or pod (idle GPUs are expected to
   * stay idle, so a fixed ceiling is meaningful there).
   */
  covers: GrowthSignal[];
}

const POD_METRICS = new Set(['kube_pod_info', 'kube_pod_status_phase', 'kube_pod_owner', 'kube_pod_created']);
const CPU_COUNTER = 'container_cpu_usage_seconds_total';
const GPU_METRICS = new Set(['DCGM_FI_DEV_GPU_UTIL', 'DCGM_FI_PROF_GR_ENGINE_ACTIVE']);
/** Every metric name that carries a signal: an expression whose text names none of them has none. */
export const SIGNAL_METRICS: readonly string[] = [...POD_METRICS, CPU_COUNTER, ...GPU_METRICS];
// Labels that make a series per pod or per container instance rather than per namespace.
const POD_LABELS = new Set(['pod', 'pod_name', 'uid', 'id', 'name', 'container_id', 'pod_uid']);
const NAMESPACE_LABELS = new Set(['namespace', 'exported_namespace']);
// A window or offset of at least this long looks at the past, not at noise.
const BASELINE_SECONDS = 3600;

const OVER_TIME = /^(?:avg|min|max|sum|quantile|stddev|stdvar|last|first|mad)_over_time$/;
const CHANGE_FUNCTIONS = new Set(['delta', 'idelta', 'deriv', 'predict_linear', 'increase']);
const SIGNAL_DROPPING = new Set(['absent', 'absent_over_time', 'timestamp', 'count_over_time', 'present_over_time', 'changes', 'resets']);
const LABEL_PRESERVING_AGGREGATES = new Set(['topk', 'bottomk', 'limitk', 'limit_ratio']);
const SCALAR_FUNCTIONS = new Set(['scalar', 'time', 'pi']);
const LEVEL_RANK: Record<Level, number> = { cluster: 0, namespace: 1, pod: 2 };

interface Trace {
  level: Level;
  /** Some occurrence looks at now (not only at an offset in the past). */
  current: boolean;
  /** Some occurrence looks at least an hour back (offset, or a long window). */
  past: boolean;
  /** The value already is a change against a baseline (delta, ratio to the past or to another series). */
  baseline: boolean;
  /** A raw counter that no rate() has turned into usage yet. */
  counter: boolean;
}

interface Info {
  scalar: boolean;
  signals: Map<GrowthSignal, Trace>;
  /** Range of a range vector or subquery, for the *_over_time around it. */
  range: number | null;
}

interface ThresholdEvent {
  signal: GrowthSignal;
  baseline: boolean;
  level: Level;
}

/** Classifies an alert expression (recording rules already expanded) for pod, CPU and GPU growth. */
export function classifyAlertExpr(expr: Expr): AlertClassification {
  const events: ThresholdEvent[] = [];
  analyse(expr, events);
  const signals: Partial<Record<GrowthSignal, SignalVerdict>> = {};
  for (const event of events) {
    const growth = event.baseline && event.level === 'namespace';
    const current = signals[event.signal];
    const verdict: SignalVerdict = { class: growth ? 'growth' : 'static-threshold', level: event.level, baseline: event.baseline };
    if (!current || rankVerdict(verdict) > rankVerdict(current)) signals[event.signal] = verdict;
  }
  const verdicts = Object.values(signals);
  const cls: AlertClass = verdicts.some((v) => v.class === 'growth') ? 'growth' : verdicts.length > 0 ? 'static-threshold' : 'none';
  const covers = (Object.entries(signals) as Array<[GrowthSignal, SignalVerdict]>)
    .filter(([signal, verdict]) => verdict.class === 'growth' || (signal === 'gpu' && verdict.level !== 'cluster'))
    .map(([signal]) => signal)
    .sort();
  return { class: cls, signals, covers };
}

function rankVerdict(verdict: SignalVerdict): number {
  return (verdict.class === 'growth' ? 10 : 0) + (verdict.baseline ? 5 : 0) + LEVEL_RANK[verdict.level];
}

/** The signal a metric name carries, with its level: raw series are per pod; recorded names say their level. */
export function signalOfMetric(name: string): { signal: GrowthSignal; level: Level; counter: boolean } | null {
  if (POD_METRICS.has(name)) return { signal: 'pods', level: 'pod', counter: false };
  if (name === CPU_COUNTER) return { signal: 'cpu', level: 'pod', counter: true };
  if (GPU_METRICS.has(name)) return { signal: 'gpu', level: 'pod', counter: false };
  // Recording-rule convention `level:metric:operations` (for rules that were not loaded, so not expanded).
  const parts = name.split(':');
  if (parts.length !== 3) return null;
  const [levelPart, metric] = parts as [string, string, string];
  const inner = POD_METRICS.has(metric) ? 'pods' : metric === CPU_COUNTER ? 'cpu' : GPU_METRICS.has(metric) ? 'gpu' : null;
  if (inner === null) return null;
  const tokens = new Set(levelPart.split('_'));
  const level: Level = tokens.has('pod') || tokens.has('container') ? 'pod' : tokens.has('namespace') ? 'namespace' : 'cluster';
  return { signal: inner, level, counter: false };
}

function analyse(expr: Expr, events: ThresholdEvent[]): Info {
  switch (expr.type) {
    case 'number':
    case 'string':
      return { scalar: true, signals: new Map(), range: null };
    case 'selector': {
      const found = expr.name === null ? null : signalOfMetric(expr.name);
      const signals = new Map<GrowthSignal, Trace>();
      if (found) signals.set(found.signal, { level: found.level, current: true, past: false, baseline: false, counter: found.counter });
      return { scalar: false, signals, range: null };
    }
    case 'matrix':
    case 'subquery':
      return { ...analyse(expr.expr, events), range: expr.range };
    case 'offset': {
      const inner = analyse(expr.expr, events);
      if (expr.seconds === null || expr.seconds < BASELINE_SECONDS) return inner;
      return { ...inner, signals: mapTraces(inner.signals, (t) => ({ ...t, current: false, past: true })) };
    }
    case 'at':
    case 'unary':
      return analyse(expr.expr, events);
    case 'call':
      return call(expr.name, expr.args.map((arg) => analyse(arg, events)));
    case 'aggregate':
      return aggregate(expr.op, expr.grouping, expr.args.map((arg) => analyse(arg, events)));
    case 'binary':
      return binary(expr, analyse(expr.lhs, events), analyse(expr.rhs, events), events);
  }
}

function call(name: string, args: Info[]): Info {
  const vectorArg = args.find((arg) => !arg.scalar) ?? { scalar: false, signals: new Map(), range: null };
  if (SCALAR_FUNCTIONS.has(name)) {
    return { scalar: true, signals: mapTraces(vectorArg.signals, (t) => ({ ...t, level: 'cluster' })), range: null };
  }
  if (SIGNAL_DROPPING.has(name)) return { scalar: false, signals: new Map(), range: null };
  const range = vectorArg.range;
  if (name === 'rate' || name === 'irate') {
    return { scalar: false, signals: mapTraces(vectorArg.signals, (t) => ({ ...t, counter: false })), range: null };
  }
  if (CHANGE_FUNCTIONS.has(name)) {
    // On a counter these measure usage (CPU seconds), on a gauge they measure change.
    return { scalar: false, signals: mapTraces(vectorArg.signals, (t) => (t.counter ? { ...t, counter: false } : { ...t, baseline: true })), range: null };
  }
  if (OVER_TIME.test(name)) {
    const long = range !== null && range >= BASELINE_SECONDS;
    return { scalar: false, signals: mapTraces(vectorArg.signals, (t) => ({ ...t, past: t.past || long })), range: null };
  }
  return { scalar: false, signals: vectorArg.signals, range: null };
}

function aggregate(op: string, grouping: Grouping | null, args: Info[]): Info {
  const vectorArg = args.at(-1) ?? { scalar: false, signals: new Map(), range: null };
  if (LABEL_PRESERVING_AGGREGATES.has(op)) return { scalar: false, signals: vectorArg.signals, range: null };
  const level = groupingLevel(grouping);
  return { scalar: false, signals: mapTraces(vectorArg.signals, (t) => ({ ...t, level: minLevel(t.level, level) })), range: null };
}

function groupingLevel(grouping: Grouping | null): Level {
  if (grouping === null) return 'cluster';
  const labels = grouping.labels;
  const keepsNamespace = grouping.mode === 'by' ? labels.some((l) => NAMESPACE_LABELS.has(l)) : !labels.includes('namespace');
  if (!keepsNamespace) return 'cluster';
  if (grouping.mode === 'by') return labels.some((l) => POD_LABELS.has(l)) ? 'pod' : 'namespace';
  return labels.includes('pod') || labels.includes('pod_name') ? 'namespace' : 'pod';
}

function binary(expr: Extract<Expr, { type: 'binary' }>, lhs: Info, rhs: Info, events: ThresholdEvent[]): Info {
  const op = expr.op;
  if (op === 'and' || op === 'unless') return lhs;
  if (op === 'or') return { scalar: false, signals: mergeTraces(lhs.signals, rhs.signals), range: null };

  if (op === '>' || op === '>=' || op === '<' || op === '<=' || op === '==' || op === '!=') {
    if (op !== '==' && op !== '!=') recordThreshold(op.startsWith('>') ? lhs : rhs, op.startsWith('>') ? rhs : lhs, events);
    // A comparison filters (or with `bool`, maps) the vector side; the other side only decides.
    return lhs.scalar && !rhs.scalar ? rhs : lhs;
  }

  if (lhs.scalar && rhs.scalar) return { scalar: true, signals: mergeTraces(lhs.signals, rhs.signals), range: null };
  if (lhs.scalar) return rhs;
  if (rhs.scalar) return lhs;

  let left = lhs.signals;
  if (op === '/' || op === '-') {
    // Current value over (or minus) its own past, or over another series: a ratio to a baseline.
    left = mapTraces(left, (t, signal) => {
      const other = rhs.signals.get(signal);
      return t.current && (other === undefined || other.past) ? { ...t, baseline: true } : t;
    });
  }
  // group_left/group_right joins take labels from the "one" side: its values are not what is measured.
  const group = expr.matching?.group ?? null;
  if (group === 'left') return { scalar: false, signals: left, range: null };
  if (group === 'right') return { scalar: false, signals: rhs.signals, range: null };
  const outputLevel = coarsest(left);
  const right = outputLevel === null ? rhs.signals : mapTraces(rhs.signals, (t) => ({ ...t, level: minLevel(t.level, outputLevel) }));
  return { scalar: false, signals: mergeTraces(left, right), range: null };
}

function recordThreshold(upper: Info, lower: Info, events: ThresholdEvent[]): void {
  for (const [signal, trace] of upper.signals) {
    // Only the past above a threshold is a drop alert, not growth.
    if (!trace.current) continue;
    const other = lower.signals.get(signal);
    const againstBaseline = !lower.scalar && (other === undefined || other.past || other.baseline);
    events.push({ signal, baseline: trace.baseline || againstBaseline, level: trace.level });
  }
}

function mapTraces(signals: ReadonlyMap<GrowthSignal, Trace>, fn: (trace: Trace, signal: GrowthSignal) => Trace): Map<GrowthSignal, Trace> {
  const out = new Map<GrowthSignal, Trace>();
  for (const [signal, trace] of signals) out.set(signal, fn(trace, signal));
  return out;
}

function mergeTraces(a: ReadonlyMap<GrowthSignal, Trace>, b: ReadonlyMap<GrowthSignal, Trace>): Map<GrowthSignal, Trace> {
  const out = new Map(a);
  for (const [signal, trace] of b) {
    const existing = out.get(signal);
    out.set(
      signal,
      existing
        ? {
            level: minLevel(existing.level, trace.level),
            current: existing.current || trace.current,
            past: existing.past || trace.past,
            baseline: existing.baseline || trace.baseline,
            counter: existing.counter || trace.counter,
          }
        : trace,
    );
  }
  return out;
}

function coarsest(signals: ReadonlyMap<GrowthSignal, Trace>): Level | null {
  let level: Level | null = null;
  for (const trace of signals.values()) level = level === null ? trace.level : minLevel(level, trace.level);
  return level;
}

function minLevel(a: Level, b: Level): Level {
  return LEVEL_RANK[a] <= LEVEL_RANK[b] ? a : b;
}
