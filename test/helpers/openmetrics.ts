// Two independent readings of OpenMetrics text for the tests:
// - `parseOpenMetricsStrict`: the OpenMetrics 1.0 text format's ABNF and its rules on families (written from
//   the specification, not from kfscan's reporter): metadata before samples, each family once, suffixes by
//   type, units in names, unique label sets, escapes limited to \\ \" \n, `# EOF` last. It throws on any
//   departure.
// - `parsePrometheusText` from npm (parse-prometheus-text-format, a port of the Prometheus Python client's
//   sample parser): unescapes label values on its own, so hostile values are checked to round-trip.
// npm holds no strict OpenMetrics parser; where the Prometheus Python client is installed, its reference
// OpenMetrics parser reads the text as well (`referenceParser`).
import { spawnSync } from 'node:child_process';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface MetricFamily {
  name: string;
  type: string;
  unit: string | null;
  help: string | null;
  samples: Sample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const NUMBER = /^(?:[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|[+-]?Inf|NaN)$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'gaugehistogram', 'stateset', 'info', 'summary', 'unknown']);
// The sample names each type allows, as suffixes of the family name.
const SUFFIXES: Record<string, string[]> = {
  counter: ['_total', '_created'],
  gauge: [''],
  info: ['_info'],
  stateset: [''],
  unknown: [''],
  summary: ['', '_count', '_sum', '_created'],
  histogram: ['_bucket', '_count', '_sum', '_created'],
  gaugehistogram: ['_bucket', '_gcount', '_gsum'],
};

export function parseOpenMetricsStrict(text: string): Map<string, MetricFamily> {
  if (!text.endsWith('# EOF\n') && !text.endsWith('# EOF')) throw new Error('the text does not end with # EOF');
  const lines = text.replace(/\n$/, '').split('\n');
  if (lines.at(-1) !== '# EOF') throw new Error('the last line is not # EOF');
  const families = new Map<string, MetricFamily>();
  const closed = new Set<string>();
  let current = null as MetricFamily | null;
  const seenSets = new Set<string>();

  for (const [index, line] of lines.slice(0, -1).entries()) {
    const where = `line ${index + 1}: ${JSON.stringify(line.slice(0, 200))}`;
    if (line === '# EOF') throw new Error(`${where}: # EOF before the end`);
    const meta = /^# (TYPE|HELP|UNIT) (\S+)(?: (.*))?$/.exec(line);
    if (line.startsWith('#')) {
      if (!meta) throw new Error(`${where}: not a TYPE, HELP or UNIT line`);
      const [, keyword, name, rest = ''] = meta;
      if (!METRIC_NAME.test(name!)) throw new Error(`${where}: bad metric name`);
      if (current?.name !== name) {
        if (families.has(name!) || closed.has(name!)) throw new Error(`${where}: family ${name} appears twice`);
        if (current) closed.add(current.name);
        current = { name: name!, type: 'unknown', unit: null, help: null, samples: [] };
        families.set(name!, current);
      }
      const family = current!;
      if (family.samples.length > 0) throw new Error(`${where}: metadata after samples`);
      if (keyword === 'TYPE') {
        if (!TYPES.has(rest)) throw new Error(`${where}: unknown type`);
        family.type = rest;
      } else if (keyword === 'UNIT') {
        if (!name!.endsWith(`_${rest}`)) throw new Error(`${where}: the name does not end with its unit`);
        family.unit = rest;
      } else {
        family.help = unescape(rest, /\\[\\n]/g, where);
      }
      continue;
    }
    const sample = parseSample(line, where);
    if (!current || !SUFFIXES[current.type]!.some((suffix) => sample.name === `${current!.name}${suffix}`)) {
      throw new Error(`${where}: sample outside its family (${current?.name ?? 'none'} of type ${current?.type ?? '-'})`);
    }
    const key = `${sample.name}${JSON.stringify(Object.entries(sample.labels).sort())}`;
    if (seenSets.has(key)) throw new Error(`${where}: the same label set twice`);
    seenSets.add(key);
    if ((current.type === 'counter' || current.type === 'info') && !(sample.value >= 0)) throw new Error(`${where}: negative or NaN ${current.type}`);
    if (current.type === 'info' && sample.value !== 1) throw new Error(`${where}: an info sample is 1`);
    current.samples.push(sample);
  }
  return families;
}

function parseSample(line: string, where: string): Sample {
  const head = /^([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(line);
  if (!head) throw new Error(`${where}: no metric name`);
  const name = head[1]!;
  let at = name.length;
  const labels: Record<string, string> = {};
  if (line[at] === '{') {
    at++;
    while (line[at] !== '}') {
      const label = /^([a-zA-Z_][a-zA-Z0-9_]*)="/.exec(line.slice(at));
      if (!label || !LABEL_NAME.test(label[1]!) || label[1]!.startsWith('__')) throw new Error(`${where}: bad label at ${at}`);
      at += label[0].length;
      let raw = '';
      for (;;) {
        const char = line[at];
        if (char === undefined) throw new Error(`${where}: unterminated label value`);
        if (char === '"') break;
        if (char === '\\') {
          const next = line[at + 1];
          if (next !== '\\' && next !== '"' && next !== 'n') throw new Error(`${where}: bad escape \\${next}`);
          raw += char + next;
          at += 2;
          continue;
        }
        raw += char;
        at++;
      }
      at++;
      if (Object.hasOwn(labels, label[1]!)) throw new Error(`${where}: label ${label[1]} twice`);
      labels[label[1]!] = unescape(raw, /\\[\\"n]/g, where);
      if (line[at] === ',') at++;
      else if (line[at] !== '}') throw new Error(`${where}: expected , or } at ${at}`);
    }
    at++;
  }
  const rest = line.slice(at);
  const value = /^ (\S+)(?: (\S+))?$/.exec(rest);
  if (!value || !NUMBER.test(value[1]!) || (value[2] !== undefined && !NUMBER.test(value[2]))) throw new Error(`${where}: bad value or timestamp`);
  return { name, labels, value: Number(value[1]!.replace('Inf', 'Infinity')) };
}

function unescape(text: string, escapes: RegExp, where: string): string {
  const rest = text.replace(escapes, '');
  if (rest.includes('\\')) throw new Error(`${where}: bad escape`);
  return text.replace(escapes, (escape) => (escape === '\\n' ? '\n' : escape[1]!));
}

/** Label sets of every sample as the npm parser reads them, by sample name. */
export function parsePrometheusText(text: string): Array<{ name: string; labels: Record<string, string>; value: number }> {
  const families = parsePrometheusTextFormat(text);
  return families.flatMap((family) => family.metrics.map((metric) => ({ name: family.name, labels: metric.labels ?? {}, value: Number(metric.value) })));
}

const PYTHON_CHECK = `
import sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families
families = list(text_string_to_metric_families(sys.stdin.read()))
print(len(families), sum(len(f.samples) for f in families))
`;

/** The Prometheus Python client's OpenMetrics parser, when this machine has it: `null` otherwise. */
export function referenceParser(): ((text: string) => { families: number; samples: number }) | null {
  const probe = spawnSync('python3', ['-c', 'import prometheus_client.openmetrics.parser'], { encoding: 'utf8' });
  const python = probe.status === 0 ? 'python3' : spawnSync('/usr/bin/python3', ['-c', 'import prometheus_client.openmetrics.parser']).status === 0 ? '/usr/bin/python3' : null;
  if (python === null) return null;
  return (text) => {
    const run = spawnSync(python, ['-c', PYTHON_CHECK], { input: text, encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`the reference OpenMetrics parser refused the text: ${run.stderr.trim().split('\n').at(-1)}`);
    const [families, samples] = run.stdout.trim().split(' ').map(Number);
    return { families: families!, samples: samples! };
  };
}
