import { describe, expect, it } from 'vitest';
import { builtinChecks } from '../checks/index.js';
import type { Check, Finding } from '../src/core/types.js';
import { analyseInventory } from '../src/engine/analyse.js';
import type { IgnoreRule } from '../src/config/ignore-rules.js';
import { scannedInventory } from './helpers/inventory.js';

// Engine-level: the same step runs for offline scans and, per context, for live ones. The clock is
// injected so that expiry is tested on both sides of the last day.

const ON_THE_DAY = new Date('2030-06-30T23:59:59Z');
const DAY_AFTER = new Date('2030-07-01T00:00:00Z');

const exposedGateway = (annotations = '') => `apiVersion: v1
kind: Service
metadata:
  name: istio-ingressgateway
  namespace: istio-system
${annotations ? `  annotations:\n${annotations}` : ''}spec:
  type: LoadBalancer
  selector: {istio: ingressgateway}
  ports: [{port: 80}]
`;

const pipelinePod = (namespace: string) => `apiVersion: v1
kind: Pod
metadata:
  name: train
  namespace: ${namespace}
  labels: {pipeline/runid: r1}
spec:
  containers:
    - {name: main, image: tensorflow/tensorflow:latest-gpu}
`;

const namespace = (name: string, annotations: string) => `apiVersion: v1
kind: Namespace
metadata:
  name: ${name}
  annotations:
${annotations}`;

// The two checks these fixtures are about; the absence checks would add cluster-wide findings that
// suppression semantics do not depend on.
const CHECKS = builtinChecks.filter((check) => ['ingress-gateway-exposed', 'mutable-ml-image'].includes(check.meta.id));

function analyse(text: string, options: { now?: Date; rules?: IgnoreRule[]; annotations?: boolean; context?: string; checks?: readonly Check[] } = {}) {
  const inventory = scannedInventory(text, { file: 'deploy/app.yaml', ...(options.context ? { context: options.context } : {}) });
  return analyseInventory(inventory, {
    checks: options.checks ?? CHECKS,
    suppression: {
      now: options.now ?? ON_THE_DAY,
      ...(options.rules ? { rules: options.rules } : {}),
      ...(options.annotations === false ? { annotations: false } : {}),
    },
  });
}

describe('kfscan.io/ignore on the object', () => {
  it('suppresses the named check with its reason and where the annotation is', () => {
    const run = analyse(
      exposedGateway('    kfscan.io/ignore: ingress-gateway-exposed\n    kfscan.io/ignore-reason: internal NLB behind the corporate VPN\n'),
    );
    expect(run.findings).toEqual([]);
    expect(run.suppressed).toHaveLength(1);
    expect(run.suppressed[0]!.checkId).toBe('ingress-gateway-exposed');
    expect(run.suppressed[0]!.suppression).toEqual({
      kind: 'inSource',
      via: 'annotation',
      justification: 'internal NLB behind the corporate VPN',
      location: { file: 'deploy/app.yaml', line: 7, column: 5 },
      resource: { apiVersion: 'v1', kind: 'Service', namespace: 'istio-system', name: 'istio-ingressgateway' },
      expires: null,
    });
    expect(run.warnings).toEqual([]);
  });

  it('says when no reason was given', () => {
    const run = analyse(exposedGateway('    kfscan.io/ignore: ingress-gateway-exposed\n'));
    expect(run.suppressed[0]!.suppression.justification).toBe(
      'no reason given (kfscan.io/ignore on Service istio-system/istio-ingressgateway has no kfscan.io/ignore-reason)',
    );
  });

  it('leaves other checks and other objects alone', () => {
    const text = `${exposedGateway('    kfscan.io/ignore: mutable-ml-image\n')}---\n${pipelinePod('team')}`;
    const run = analyse(text);
    expect(run.findings.map((f) => f.checkId).sort()).toEqual(['ingress-gateway-exposed', 'mutable-ml-image']);
    expect(run.suppressed).toEqual([]);
  });

  it('applies through the last day of ignore-expires and not after, with a warning', () => {
    const text = exposedGateway('    kfscan.io/ignore: ingress-gateway-exposed\n    kfscan.io/ignore-expires: "2030-06-30"\n');
    const before = analyse(text, { now: ON_THE_DAY });
    expect(before.findings).toEqual([]);
    expect(before.suppressed[0]!.suppression.expires).toBe('2030-06-30');
    expect(before.warnings).toEqual([]);

    const after = analyse(text, { now: DAY_AFTER });
    expect(after.suppressed).toEqual([]);
    expect(after.findings.map((f) => f.checkId)).toEqual(['ingress-gateway-exposed']);
    expect(after.warnings).toEqual([
      {
        file: 'deploy/app.yaml',
        line: 8,
        column: 5,
        message: 'kfscan.io/ignore on Service istio-system/istio-ingressgateway expired on 2030-06-30: its findings are reported again',
      },
    ]);
  });

  it('does not apply with an expiry it cannot read, and says so', () => {
    const run = analyse(exposedGateway('    kfscan.io/ignore: ingress-gateway-exposed\n    kfscan.io/ignore-expires: end of June\n'));
    expect(run.findings).toHaveLength(1);
    expect(run.warnings.map((w) => w.message)).toEqual([
      'kfscan.io/ignore-expires on Service istio-system/istio-ingressgateway is not a date (YYYY-MM-DD): the ignore does not apply',
    ]);
  });

  it('accepts former ids (aliases) and warns about unknown ids and wildcards', () => {
    const renamed = builtinChecks.map((check) =>
      check.meta.id === 'ingress-gateway-exposed' ? { ...check, meta: { ...check.meta, aliases: ['gateway-public'] } } : check,
    );
    const run = analyse(exposedGateway('    kfscan.io/ignore: "gateway-public, ingress-gateway-exposd, *"\n'), { checks: renamed });
    expect(run.findings).toEqual([]);
    expect(run.suppressed.map((f) => f.checkId)).toEqual(['ingress-gateway-exposed']);
    expect(run.warnings.map((w) => w.message)).toEqual([
      'kfscan.io/ignore on Service istio-system/istio-ingressgateway names unknown check "ingress-gateway-exposd" (did you mean "ingress-gateway-exposed"?): it suppresses nothing',
      'kfscan.io/ignore on Service istio-system/istio-ingressgateway: "*" is not a check id; name each check, so that checks added later are never silenced by an old annotation',
    ]);
  });

  it('is disregarded with annotations: false (--no-annotation-ignores)', () => {
    const run = analyse(exposedGateway('    kfscan.io/ignore: ingress-gateway-exposed\n'), { annotations: false });
    expect(run.findings).toHaveLength(1);
    expect(run.suppressed).toEqual([]);
  });
});

describe('kfscan.io/ignore on a Namespace', () => {
  const ns = (annotations: string) => `${namespace('sandbox', annotations)}---\n${pipelinePod('sandbox')}---\n${pipelinePod('prod')}`;

  it('suppresses the check for everything in that namespace and nowhere else', () => {
    const run = analyse(ns('    kfscan.io/ignore: mutable-ml-image\n    kfscan.io/ignore-reason: air-gapped sandbox\n'));
    expect(run.suppressed.map((f) => f.resource?.namespace)).toEqual(['sandbox']);
    expect(run.suppressed[0]!.suppression).toMatchObject({
      kind: 'inSource',
      via: 'namespace-annotation',
      justification: 'air-gapped sandbox',
      resource: { kind: 'Namespace', name: 'sandbox', namespace: null },
      location: { file: 'deploy/app.yaml', line: 6 },
    });
    expect(run.findings.map((f) => f.resource?.namespace)).toEqual(['prod']);
  });

  it('stops after its expiry day', () => {
    const text = ns('    kfscan.io/ignore: mutable-ml-image\n    kfscan.io/ignore-expires: "2030-06-30"\n');
    expect(analyse(text, { now: ON_THE_DAY }).suppressed).toHaveLength(1);
    const after = analyse(text, { now: DAY_AFTER });
    expect(after.suppressed).toEqual([]);
    expect(after.findings).toHaveLength(2);
    expect(after.warnings.map((w) => w.message)).toEqual(['kfscan.io/ignore on Namespace sandbox expired on 2030-06-30: its findings are reported again']);
  });

  it('still applies when the annotation on the object itself has expired, without claiming the finding is back', () => {
    const pod = pipelinePod('sandbox').replace('  labels:', '  annotations: {kfscan.io/ignore: mutable-ml-image, kfscan.io/ignore-expires: "2001-01-01"}\n  labels:');
    const run = analyse(`${namespace('sandbox', '    kfscan.io/ignore: mutable-ml-image\n')}---\n${pod}`);
    expect(run.suppressed.map((f) => f.suppression.via)).toEqual(['namespace-annotation']);
    expect(run.warnings).toEqual([]);
  });

  it('needs the Namespace among the inputs', () => {
    const run = analyse(`${pipelinePod('sandbox')}`);
    expect(run.suppressed).toEqual([]);
  });

  it('counts the copy that carries the annotation when a Namespace is defined twice', () => {
    const text = `${ns('    kfscan.io/ignore: mutable-ml-image\n')}---\napiVersion: v1\nkind: Namespace\nmetadata: {name: sandbox}\n`;
    expect(analyse(text).suppressed).toHaveLength(1);
  });

  it('works on live objects, which have no file', () => {
    const run = analyse(ns('    kfscan.io/ignore: mutable-ml-image\n'), { context: 'prod-eu' });
    expect(run.suppressed).toHaveLength(1);
    expect(run.suppressed[0]!.suppression.location).toBeNull();
    expect(run.suppressed[0]!.context).toBe('prod-eu');
    const expired = analyse(ns('    kfscan.io/ignore: mutable-ml-image\n    kfscan.io/ignore-expires: "2001-01-01"\n'), { context: 'prod-eu' });
    expect(expired.warnings).toEqual([
      { context: 'prod-eu', resource: 'Namespace sandbox', message: 'kfscan.io/ignore on Namespace sandbox expired on 2001-01-01: its findings are reported again' },
    ]);
  });
});

describe('configuration entries', () => {
  const rule = (overrides: Partial<IgnoreRule> = {}): IgnoreRule => ({
    checks: new Set(['mutable-ml-image']),
    matches: (f: Finding) => f.resource?.namespace === 'sandbox',
    reason: 'sandbox for experiments',
    expires: null,
    location: { file: '.kfscan.yaml', line: 3, column: 5 },
    ...overrides,
  });
  const text = `${pipelinePod('sandbox')}---\n${pipelinePod('prod')}`;

  it('suppress matching findings as in-source suppressions (the configuration is part of the tree)', () => {
    const run = analyse(text, { rules: [rule()] });
    expect(run.suppressed).toHaveLength(1);
    expect(run.suppressed[0]!.suppression).toEqual({
      kind: 'inSource',
      via: 'config',
      justification: 'sandbox for experiments',
      location: { file: '.kfscan.yaml', line: 3, column: 5 },
      resource: null,
      expires: null,
    });
    expect(run.findings.map((f) => f.resource?.namespace)).toEqual(['prod']);
  });

  it('stop applying after their expiry day', () => {
    expect(analyse(text, { rules: [rule({ expires: '2030-06-30' })], now: ON_THE_DAY }).suppressed).toHaveLength(1);
    expect(analyse(text, { rules: [rule({ expires: '2030-06-30' })], now: DAY_AFTER }).suppressed).toEqual([]);
  });

  it('only for the checks they name', () => {
    expect(analyse(text, { rules: [rule({ checks: new Set(['ingress-gateway-exposed']) })] }).suppressed).toEqual([]);
  });

  it('come after an annotation, which is more specific', () => {
    const annotated = `${namespace('sandbox', '    kfscan.io/ignore: mutable-ml-image\n')}---\n${text}`;
    expect(analyse(annotated, { rules: [rule()] }).suppressed[0]!.suppression.via).toBe('namespace-annotation');
  });
});
