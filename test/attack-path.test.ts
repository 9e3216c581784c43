import { describe, expect, it } from 'vitest';
import { ATTACK_STEPS, attackPaths, type AttackPath, type StepId } from '../src/reporters/attack-path.js';
import { ATTACK_PATH, CATALOGUE, demoResult, finding, liveTwoClusters, meta, result } from './helpers/results.js';

const states = (path: AttackPath): Record<StepId, string> =>
  Object.fromEntries(path.steps.map((step) => [step.definition.id, step.state])) as Record<StepId, string>;

const check = (path: AttackPath, step: StepId, checkId: string) =>
  path.steps.find((s) => s.definition.id === step)!.checks.find((c) => c.checkId === checkId)!;

describe('attack path', () => {
  it('maps every check of the catalogue to a step', () => {
    const steps = new Set<string>(ATTACK_STEPS.map((step) => step.id));
    for (const member of ATTACK_PATH) {
      expect(member.steps.length, member.id).toBeGreaterThan(0);
      for (const step of member.steps) expect(steps.has(step), `${member.id}: ${step}`).toBe(true);
    }
    expect(ATTACK_PATH.map((member) => member.id).sort()).toEqual(CATALOGUE.map((c) => c.id).sort());
    for (const step of ATTACK_STEPS) expect(ATTACK_PATH.some((member) => member.steps.includes(step.id)), step.id).toBe(true);
  });

  it('is clear at every step only when every check ran and found nothing', () => {
    const [path] = attackPaths(result(), ATTACK_PATH);
    expect(Object.values(states(path!))).toEqual(Array(7).fill('clear'));
    expect(path!.steps.map((s) => s.status)).toEqual(Array(7).fill('nothing found'));
  });

  it('opens the steps that findings belong to, and no others', () => {
    const [path] = attackPaths(result({ findings: [finding('ingress-gateway-exposed', { severity: 'critical' }), finding('falco-missing')] }), ATTACK_PATH);
    expect(states(path!)).toEqual({
      entry: 'open',
      gateway: 'open',
      dashboard: 'clear',
      auth: 'clear',
      workloads: 'clear',
      detection: 'open',
      alerting: 'clear',
    });
    const entry = path!.steps[0]!;
    expect(entry.highest).toBe('critical');
    expect(entry.status).toBe('1 finding');
  });

  it('never shows a step as clear when one of its checks did not run', () => {
    const checks = CATALOGUE.filter((c) => c.id !== 'mfa-not-enforced' && c.id !== 'sensitive-ui-exposed');
    const [path] = attackPaths(result({ checks }), ATTACK_PATH);
    expect(states(path!)).toMatchObject({ entry: 'unknown', dashboard: 'unknown', auth: 'unknown', gateway: 'clear' });
    expect(check(path!, 'auth', 'mfa-not-enforced').status).toBe('not-run');
    expect(path!.steps.find((s) => s.definition.id === 'auth')!.status).toBe('partly checked');
  });

  it('shows absence checks left out offline as out of scope, not as passes', () => {
    const outOfScope = CATALOGUE.filter((c) => c.absence).map((c) => c.id);
    const [path] = attackPaths(result({ outOfScope }), ATTACK_PATH);
    expect(states(path!)).toMatchObject({ detection: 'unknown', alerting: 'unknown', workloads: 'clear' });
    expect(check(path!, 'detection', 'falco-missing').status).toBe('out-of-scope');
    expect(path!.steps.find((s) => s.definition.id === 'alerting')!.status).toBe('not checked');
  });

  it('treats undecided checks, failed checks and informational findings as unknown', () => {
    const [path] = attackPaths(
      result({
        coverage: { unreadable: [], undecided: [{ checkId: 'prometheus-missing', reason: 'forbidden', context: null }] },
        errors: [{ message: 'check falco-miner-rules failed: boom' }],
        findings: [finding('ingress-gateway-exposed', { severity: 'info', message: 'internal load balancer' })],
      }), ATTACK_PATH);
    expect(states(path!)).toMatchObject({ entry: 'unknown', gateway: 'unknown', detection: 'unknown', alerting: 'unknown', auth: 'clear' });
    expect(check(path!, 'gateway', 'ingress-gateway-exposed').status).toBe('review');
    expect(check(path!, 'detection', 'falco-miner-rules')).toMatchObject({ status: 'failed', reason: 'check falco-miner-rules failed: boom' });
    expect(check(path!, 'alerting', 'prometheus-missing')).toMatchObject({ status: 'undecided', reason: 'forbidden' });
    expect(path!.inputErrors).toBe(0);
  });

  it('lets no step be clear while inputs could not be read', () => {
    const [path] = attackPaths(result({ errors: [{ file: 'deploy/broken.yaml', line: 3, message: 'invalid YAML' }] }), ATTACK_PATH);
    expect(path!.inputErrors).toBe(1);
    expect(Object.values(states(path!))).toEqual(Array(7).fill('unknown'));
    expect(path!.steps[0]!.status).toBe('incomplete input');
  });

  it('counts plugin checks by category', () => {
    const plugin = meta('acme-public-notebook', 'exposure');
    const clean = attackPaths(result({ checks: [...CATALOGUE, plugin] }), ATTACK_PATH)[0]!;
    expect(clean.steps[0]!.checks.map((c) => c.checkId)).toContain('acme-public-notebook');
    expect(states(clean).entry).toBe('clear');
    const [path] = attackPaths(result({ checks: [...CATALOGUE, plugin], findings: [finding('acme-public-notebook', { category: 'exposure', severity: 'medium' })] }), ATTACK_PATH);
    expect(states(path!)).toMatchObject({ entry: 'open', gateway: 'clear' });
  });

  it('draws one path per context of a live scan, each from its own findings and gaps', () => {
    const paths = attackPaths(liveTwoClusters(), ATTACK_PATH);
    expect(paths.map((p) => p.context)).toEqual(['prod-eu', 'staging']);
    expect(states(paths[0]!)).toEqual({
      entry: 'open',
      gateway: 'open',
      dashboard: 'open',
      auth: 'open',
      workloads: 'open',
      detection: 'open',
      alerting: 'clear',
    });
    expect(states(paths[1]!)).toEqual({
      entry: 'clear',
      gateway: 'clear',
      dashboard: 'clear',
      auth: 'unknown',
      workloads: 'open',
      detection: 'clear',
      alerting: 'clear',
    });
    expect(check(paths[1]!, 'auth', 'default-credentials').status).toBe('undecided');
    expect(check(paths[0]!, 'auth', 'default-credentials').status).toBe('finding');
  });

  it('reflects what the demo scan can tell with the checks built so far', async () => {
    const demo = await demoResult();
    const [path] = attackPaths(demo, ATTACK_PATH);
    expect(path!.context).toBeNull();
    const ran = new Set(demo.checks.map((c) => c.id));
    for (const step of path!.steps) {
      const hasFinding = demo.findings.some((f) => step.checks.some((c) => c.checkId === f.checkId) && f.severity !== 'info');
      const allRan = step.checks.every((c) => ran.has(c.checkId));
      expect(step.state).toBe(hasFinding ? 'open' : allRan ? 'clear' : 'unknown');
    }
    expect(states(path!)).toMatchObject({ entry: 'open', gateway: 'open', workloads: 'open' });
  });
});
