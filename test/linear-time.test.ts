import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { redactCredentials } from '../src/core/credentials.js';
import { followedOnLine, trimBoth, trimEnd } from '../src/core/text-scan.js';
import { isPlaceholder, resolveServiceHost } from '../src/kube/hosts.js';
import { indicatorsInText } from '../src/kube/miner-iocs.js';
import { parseDuration } from '../src/kube/promql/parse.js';
import { displayServer } from '../src/live/api-client.js';
import { shareEqualValues } from '../src/live/prune.js';
import { parseManifests } from '../src/loaders/manifest-parser.js';
import { yamlErrorText } from '../src/loaders/yaml-errors.js';
import { recognise } from '../src/probe/recognise.js';
import { excerptOf } from '../src/probe/redact.js';
import { isRemote } from '../src/render/kustomization-refs.js';
import { toolErrorLine } from '../src/render/tool-errors.js';
import { markdownCode, terminalSafe, terminalSafeJson } from '../src/reporters/sanitize.js';
import { wrapText } from '../src/reporters/text-wrap.js';
import { cpuMs } from './helpers/cpu-time.js';
import { propertyRuns, propertyTimeout } from './helpers/property.js';

// Every match kfscan runs over text from its input takes time linear in the text: a hostile manifest,
// kubeconfig, page or tool message of any size costs seconds, never hours. Each entry point below is fed
// adversarial strings built by repeating fragments that kfscan's own patterns react to (those it had,
// which were quadratic, included); a run four times as long must cost about four times as much, where
// quadratic work costs sixteen. The CPU time of this file's own process is measured (not wall time, which
// a busy machine stretches) and judged only on that ratio, with generous slack (best of three), and only
// once a run lasts long enough to be measured: below that, a megabyte in a fraction of a second is linear
// enough whatever the ratio. Every entry point meets every fragment at
// 64 KB and 256 KB; random mixtures at 256 KB and 1 MB (the whole scan: test/linear-scan.test.ts).

const KB = 1024;
const MEASURABLE_MS = 250;
// Linear work is 4 times as long, quadratic 16 times; building large strings adds garbage collection, which
// on a loaded machine took a linear escape of a megabyte to 9 times.
const MAX_RATIO = 12;

// Fragments that kfscan's patterns (and those it had, which were super-linear) react to.
const PUMPS = [
  '$(', '${', '$(a', '{{', '{{ workflow.parameters.implementations-x', 'curl ', 'wget x |', 'chmod -x ', 'os.chmod(0,',
  'tensorboard ', 'ray start ', 'a.', 'a-', 'a.a-', '1.1.1.1:', 'stratum+tcp://', 'x://a@', '?token=', 'token=', '"a":"',
  'eyJaaaaa', 'eyJaaaaa.', 'AKIAAAAAAAAAAAAAAAAA', '-----BEGIN ', '<title', '<title>', '<meta', '<input', '<form', '/', '-',
  ' ', '\t', '#', '::', '##[', '\u202e', '`', '|', '.linux', 'xmrig-1', '_cuda1', '0', '1h', ' in p', 'headers():add("',
  '_PLACEHOLDER', 'A_', '--', '=', '"', "'", '\\', '[redacted]', '%', '&', ';', '\n', ' \n', 'https://', '@', ':',
  '| sudo env A=1 python3 ', 'base64 -d ', 'bash <(', 'sh -c "$(', '- rule', 'pools": ',
];

type EntryPoint = readonly [name: string, run: (text: string) => unknown];

const ENTRY_POINTS: readonly EntryPoint[] = [
  ['miner indicators in container text', (text) => indicatorsInText(text, { mlImage: true })],
  ['miner indicators in a mounted config file', (text) => indicatorsInText(text, { mlImage: false, configFile: true, redact: true })],
  ['placeholder test', isPlaceholder],
  ['Istio service host', (text) => resolveServiceHost(text, 'default')],
  ['PromQL duration', parseDuration],
  ['credential redaction', redactCredentials],
  ['terminal escaping', terminalSafe],
  ['JSON escaping', (text) => terminalSafeJson({ text })],
  ['Markdown code span', (text) => markdownCode(text, { inTable: true })],
  ['table cell wrapping', (text) => wrapText(terminalSafe(text), 60).join('\n')],
  ['probe excerpt (HTML)', (text) => excerptOf(text, 'text/html')],
  ['probe excerpt (JSON)', (text) => excerptOf(text, 'application/json')],
  ['probe page recognition', (text) => recognise({ path: '/', status: 200, location: null, contentType: 'text/html', wwwAuthenticate: null, body: text })],
  ['word on the same line', (text) => followedOnLine(text, /\btensorboard\b/, '--logdir')],
  ['trims', (text) => [trimEnd(text, '/'), trimBoth(text, '-')]],
  ['kustomize remote reference', isRemote],
  ['render tool error', (text) => toolErrorLine(text, '/nonexistent')],
  ['YAML error message', yamlErrorText],
  ['kubeconfig server', (text) => displayServer(`https://${text}`)],
  ['manifest text', (text) => parseManifests(`apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata:\n  a: ${JSON.stringify(text)}\n`, 'x.yaml')],
];

function adversarial(pump: string, size: number): string {
  return pump.repeat(Math.ceil(size / pump.length)).slice(0, size);
}


/** Whether `run` scales linearly from `size` to four times that of `pump`; measured again before saying no. */
function scalesLinearly(run: (text: string) => unknown, pump: string, size: number): { linear: boolean; small: number; large: number } {
  const small = adversarial(pump, size);
  const large = adversarial(pump, 4 * size);
  return growsLinearly(() => run(small), () => run(large));
}

/** Whether the run on four times the input costs about four times the CPU (best of three, once measurable). */
function growsLinearly(runSmall: () => unknown, runLarge: () => unknown): { linear: boolean; small: number; large: number } {
  let best = { small: Infinity, large: Infinity };
  for (let attempt = 0; attempt < 3; attempt++) {
    best = { small: Math.min(best.small, cpuMs(runSmall)), large: Math.min(best.large, cpuMs(runLarge)) };
    if (best.large < MEASURABLE_MS || best.large <= MAX_RATIO * Math.max(best.small, 1)) return { linear: true, ...best };
  }
  return { linear: false, ...best };
}

describe('matching on input text takes linear time', () => {
  it('every entry point, on every fragment, from 64 KB to 256 KB', () => {
    const slow: string[] = [];
    for (const [name, run] of ENTRY_POINTS) {
      for (const pump of PUMPS) {
        const outcome = scalesLinearly(run, pump, 64 * KB);
        if (!outcome.linear) slow.push(`${name} on ${JSON.stringify(pump)}: ${outcome.small.toFixed(0)} ms for 64 KB, ${outcome.large.toFixed(0)} ms for 256 KB`);
      }
    }
    expect(slow).toEqual([]);
  }, 300_000);

  it('fragments and their mixtures from 256 KB to 1 MB (random, seeded; KFSCAN_PROPERTY_RUNS for more)', () => {
    const runs = propertyRuns(25);
    fc.assert(
      fc.property(fc.constantFrom(...ENTRY_POINTS), fc.array(fc.constantFrom(...PUMPS), { minLength: 1, maxLength: 4 }), ([name, run], pumps) => {
        const outcome = scalesLinearly(run, pumps.join(''), 256 * KB);
        expect(outcome.linear, `${name} on ${JSON.stringify(pumps.join(''))}: ${outcome.small.toFixed(0)} ms for 256 KB, ${outcome.large.toFixed(0)} ms for 1 MB`).toBe(true);
      }),
      { numRuns: runs, seed: 1906 },
    );
  }, propertyTimeout(propertyRuns(25), 4000));
});

// A live list's page is parsed objects, not text, but a hostile API server chooses them as freely: sharing
// its equal values (src/live/prune.ts) must take linear time too, however many values share a hash.
describe('sharing the equal values of a page takes linear time', () => {
  // Objects whose hashes collide: one value each, under keys of their own (a hash of the values alone is
  // the same for all), and strings of one length that differ only in characters a sampled hash may skip.
  const colliding = (count: number): unknown[] =>
    Array.from({ length: count }, (_, index) => {
      const middle = index.toString(36).padStart(8, '0');
      return { metadata: { name: `pod-${index}` }, spec: { labels: { [`key-${index}`]: 'same' }, note: { text: `a${middle}${'a'.repeat(31)}` } } };
    });

  // Before the buckets of colliding values were bounded: 2.2 s for 4,000 such objects, 73 s for 16,000.
  it('on 2,000 and 8,000 objects whose hashes collide', () => {
    const [small, large] = [colliding(2_000), colliding(8_000)];
    const outcome = growsLinearly(
      () => shareEqualValues(structuredClone(small)),
      () => shareEqualValues(structuredClone(large)),
    );
    expect(outcome.linear, `${outcome.small.toFixed(0)} ms for 2,000 objects, ${outcome.large.toFixed(0)} ms for 8,000`).toBe(true);
  }, 120_000);
});
