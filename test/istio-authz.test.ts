import { describe, expect, it } from 'vitest';
import type { Resource } from '../src/core/types.js';
import { decide, describeRequest, outsiderAccess, sortPolicies, AUTHORIZATION_HEADER, type OutsiderRequest } from '../src/kube/istio-authz.js';
import type { GatewayWorkload } from '../src/kube/istio-gateways.js';
import { policyApplies } from '../src/kube/istio-policies.js';
import { inventoryFromYaml } from './helpers/inventory.js';

// Istio's evaluation of AuthorizationPolicies at the ingress gateway, asked one question: can an outsider
// without credentials get a request to the dashboard through unauthenticated? Policies that close the gap
// a CUSTOM policy leaves, and policies that look alike but do not.

const GATEWAY: GatewayWorkload = {
  members: [{ namespace: 'istio-system', labels: { app: 'istio-ingressgateway', istio: 'ingressgateway' } }],
  pods: [],
  service: null,
  gatewayApi: null,
};

const CUSTOM = `
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: oauth2-proxy, namespace: istio-system}
spec:
  action: CUSTOM
  provider: {name: oauth2-proxy}
  selector: {matchLabels: {app: istio-ingressgateway}}
  rules:
    - to: [{operation: {notPaths: ["/dex/*", "/dex/**", "/oauth2/*"]}}]
      when: [{key: "request.headers[authorization]", notValues: ["*"]}]
`;

const ALLOW_ALL = `
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: istio-ingressgateway, namespace: istio-system}
spec:
  action: ALLOW
  selector: {matchLabels: {app: istio-ingressgateway}}
  rules: [{}]
`;

const DENY_WITHOUT_JWT = `
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: require-jwt, namespace: istio-system}
spec:
  action: DENY
  selector: {matchLabels: {app: istio-ingressgateway}}
  rules:
    - from: [{source: {notRequestPrincipals: ["*"]}}]
      to: [{operation: {notPaths: ["/dex/*", "/dex/**", "/oauth2/*"]}}]
`;

const ALLOW_WITH_JWT = `
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: allow-jwt, namespace: istio-system}
spec:
  action: ALLOW
  selector: {matchLabels: {app: istio-ingressgateway}}
  rules:
    - from: [{source: {requestPrincipals: ["*"]}}]
    - to: [{operation: {paths: ["/dex/*", "/dex/**", "/oauth2/*", "/healthz"]}}]
`;

function policy(name: string, namespace: string, action: string, spec: string): string {
  return `
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: ${name}, namespace: ${namespace}}
spec:
  action: ${action}
${spec
  .trim()
  .split('\n')
  .map((line) => `  ${line}`)
  .join('\n')}
`;
}

function access(...documents: string[]) {
  const inventory = inventoryFromYaml(documents.join('\n---\n'));
  const applicable = inventory.ofKind('security.istio.io/AuthorizationPolicy').filter((p) => policyApplies(p, GATEWAY, 'istio-system'));
  const policies = sortPolicies(applicable, (provider) => provider === 'oauth2-proxy');
  return { result: outsiderAccess(policies, ['/', '/pipeline/']), policies };
}

const names = (resources: readonly Resource[]) => resources.map((r) => r.ref.name);

describe('outsiderAccess: setups that authenticate every outsider request', () => {
  it.each([
    ["Kubeflow 1.9.1+: CUSTOM oauth2-proxy, DENY without a JWT, the shipped ALLOW-all", [CUSTOM, DENY_WITHOUT_JWT, ALLOW_ALL]],
    ['CUSTOM oauth2-proxy and an ALLOW that requires a JWT, with /dex, /oauth2 and health exceptions (no ALLOW-all)', [CUSTOM, ALLOW_WITH_JWT]],
    ['a CUSTOM policy without the header exception', [policy('all', 'istio-system', 'CUSTOM', 'provider: {name: oauth2-proxy}\nrules: [{}]'), ALLOW_ALL]],
    ['an ALLOW that requires a JWT alone (token-only access)', [ALLOW_WITH_JWT]],
    [
      'a DENY without selector in the root namespace (mesh-wide)',
      [CUSTOM, ALLOW_ALL, policy('mesh-jwt', 'istio-system', 'DENY', 'rules: [{from: [{source: {notRequestPrincipals: ["*"]}}]}]')],
    ],
    [
      'a DENY on requests that carry an Authorization header but no principal',
      [CUSTOM, ALLOW_ALL, policy('header-jwt', 'istio-system', 'DENY', 'rules: [{from: [{source: {notRequestPrincipals: ["*"]}}], when: [{key: "request.headers[Authorization]", values: ["*"]}]}]')],
    ],
    ['an ALLOW without rules (nothing is allowed)', [policy('nothing', 'istio-system', 'ALLOW', 'selector: {matchLabels: {istio: ingressgateway}}')]],
    [
      'a DENY whose only source field is an address range that holds the internet',
      [CUSTOM, ALLOW_ALL, policy('wide', 'istio-system', 'DENY', 'rules: [{from: [{source: {notRequestPrincipals: ["*"], remoteIpBlocks: ["0.0.0.0/0"]}}]}]')],
    ],
  ])('%s', (_name, documents) => {
    const { result } = access(...documents);
    expect(result.open).toEqual([]);
  });

  it('says which policy authenticates and which one turns the rest away', () => {
    const { result } = access(CUSTOM, DENY_WITHOUT_JWT, ALLOW_ALL);
    expect(names(result.authenticatedBy)).toEqual(['oauth2-proxy']);
    expect(names(result.rejectedBy)).toEqual(['require-jwt']);
  });
});

describe('outsiderAccess: look-alikes that leave the gap open', () => {
  it.each([
    ['CUSTOM alone: a request with an Authorization header skips it', [CUSTOM, ALLOW_ALL], 'GET / with an Authorization header that is not a valid JWT'],
    ['an ALLOW that requires a JWT next to the shipped ALLOW-all', [CUSTOM, ALLOW_WITH_JWT, ALLOW_ALL], 'GET / with an Authorization header that is not a valid JWT'],
    [
      'the DENY in the kubeflow namespace (neither the root nor the gateway namespace)',
      [CUSTOM, ALLOW_ALL, policy('elsewhere', 'kubeflow', 'DENY', 'rules: [{from: [{source: {notRequestPrincipals: ["*"]}}]}]')],
      'GET / with an Authorization header that is not a valid JWT',
    ],
    [
      'the DENY selects another gateway',
      [CUSTOM, ALLOW_ALL, policy('other', 'istio-system', 'DENY', 'selector: {matchLabels: {app: other-gateway}}\nrules: [{from: [{source: {notRequestPrincipals: ["*"]}}]}]')],
      'GET / with an Authorization header that is not a valid JWT',
    ],
    [
      'the DENY is inverted (requestPrincipals: it turns away the users that have a token)',
      [CUSTOM, ALLOW_ALL, policy('inverted', 'istio-system', 'DENY', 'rules: [{from: [{source: {requestPrincipals: ["*"]}}]}]')],
      'GET / with an Authorization header that is not a valid JWT',
    ],
    [
      'the DENY covers /api/* only',
      [CUSTOM, ALLOW_ALL, policy('api-only', 'istio-system', 'DENY', 'rules: [{from: [{source: {notRequestPrincipals: ["*"]}}], to: [{operation: {paths: ["/api/*"]}}]}]')],
      'GET / with an Authorization header that is not a valid JWT',
    ],
    [
      'the DENY leaves out /pipeline/*',
      [CUSTOM, ALLOW_ALL, policy('no-pipelines', 'istio-system', 'DENY', 'rules: [{from: [{source: {notRequestPrincipals: ["*"]}}], to: [{operation: {notPaths: ["/pipeline/*"]}}]}]')],
      'GET /pipeline/ with an Authorization header that is not a valid JWT',
    ],
    [
      'the DENY also needs a header the outsider need not send',
      [
        CUSTOM,
        ALLOW_ALL,
        policy('needs-header', 'istio-system', 'DENY', 'rules: [{from: [{source: {notRequestPrincipals: ["*"]}}], when: [{key: "request.headers[x-kubeflow]", values: ["1"]}]}]'),
      ],
      'GET / with an Authorization header that is not a valid JWT',
    ],
    [
      'the DENY also needs a peer namespace, which outside requests never have',
      [CUSTOM, ALLOW_ALL, policy('namespaced', 'istio-system', 'DENY', 'rules: [{from: [{source: {notRequestPrincipals: ["*"], namespaces: ["kubeflow"]}}]}]')],
      'GET / with an Authorization header that is not a valid JWT',
    ],
    [
      'the ALLOW that requires a JWT has a second rule for every path',
      [CUSTOM, policy('leaky', 'istio-system', 'ALLOW', 'rules: [{from: [{source: {requestPrincipals: ["*"]}}]}, {to: [{operation: {paths: ["/*"]}}]}]')],
      'GET / with an Authorization header that is not a valid JWT',
    ],
    [
      'the ALLOW that requires a JWT also admits any address',
      [CUSTOM, policy('any-address', 'istio-system', 'ALLOW', 'rules: [{from: [{source: {requestPrincipals: ["*"]}}]}, {from: [{source: {ipBlocks: ["0.0.0.0/0"]}}]}]')],
      'GET / with an Authorization header that is not a valid JWT',
    ],
    [
      'a CUSTOM policy whose provider the mesh does not register',
      [policy('unknown', 'istio-system', 'CUSTOM', 'provider: {name: not-registered}\nrules: [{}]'), ALLOW_ALL],
      'GET /',
    ],
    ['a CUSTOM policy without rules', [policy('empty', 'istio-system', 'CUSTOM', 'provider: {name: oauth2-proxy}'), ALLOW_ALL], 'GET /'],
  ])('%s', (_name, documents, witness) => {
    const { result } = access(...documents);
    expect(result.open.length).toBeGreaterThan(0);
    expect(describeRequest(result.open[0]!.request)).toBe(witness);
  });

  it('names the ALLOW policy that lets the request in, or none when no ALLOW policy applies', () => {
    expect(access(CUSTOM, ALLOW_ALL).result.open[0]!.verdict.policy?.ref.name).toBe('istio-ingressgateway');
    expect(access(CUSTOM).result.open[0]!.verdict.policy).toBeNull();
  });
});

describe('decide: CUSTOM, then DENY, then ALLOW', () => {
  const request = (path: string, authorization: string | null): OutsiderRequest => ({
    path,
    method: 'GET',
    host: 'kfscan.invalid',
    port: '8080',
    attributes: new Map([[AUTHORIZATION_HEADER, authorization]]),
  });
  const { policies } = access(CUSTOM, DENY_WITHOUT_JWT, ALLOW_ALL);

  it('hands a request without credentials to the CUSTOM provider before any DENY', () => {
    expect(decide(request('/', null), policies)).toMatchObject({ outcome: 'custom' });
  });
  it('denies a request that skips CUSTOM with a header but has no verified JWT', () => {
    expect(decide(request('/', 'Basic x'), policies)).toMatchObject({ outcome: 'denied' });
  });
  it('lets the login paths through to the ALLOW-all', () => {
    expect(decide(request('/dex/auth', null), policies)).toMatchObject({ outcome: 'allowed' });
  });
  it('denies what no ALLOW policy matches when ALLOW policies apply', () => {
    const { policies: jwtOnly } = access(ALLOW_WITH_JWT);
    expect(decide(request('/', 'Basic x'), jwtOnly)).toEqual({ outcome: 'not-allowed' });
    expect(decide(request('/healthz', null), jwtOnly)).toMatchObject({ outcome: 'allowed' });
  });
});

describe('which policies apply to the gateway', () => {
  const applies = (yaml: string, workload: GatewayWorkload = GATEWAY) => {
    const [resource] = inventoryFromYaml(yaml).ofKind('security.istio.io/AuthorizationPolicy');
    return policyApplies(resource!, workload, 'istio-system');
  };
  it.each([
    ['no selector in the root namespace: the whole mesh', policy('a', 'istio-system', 'DENY', 'rules: [{}]'), true],
    ['a selector in the root namespace: matching workloads in every namespace', policy('b', 'istio-system', 'DENY', 'selector: {matchLabels: {istio: ingressgateway}}'), true],
    ['no selector in another namespace: only that namespace', policy('c', 'kubeflow', 'DENY', 'rules: [{}]'), false],
    ['a selector that does not match', policy('d', 'istio-system', 'DENY', 'selector: {matchLabels: {istio: egressgateway}}'), false],
    ['a targetRef to a Gateway API Gateway the workload is not', policy('e', 'istio-system', 'DENY', 'targetRefs: [{kind: Gateway, group: gateway.networking.k8s.io, name: other}]'), false],
  ])('%s', (_name, yaml, expected) => {
    expect(applies(yaml)).toBe(expected);
  });

  it('applies a root-namespace policy with a selector to a gateway in its own namespace', () => {
    const gateway: GatewayWorkload = { ...GATEWAY, members: [{ namespace: 'gateways', labels: { istio: 'ingressgateway' } }] };
    expect(applies(policy('f', 'istio-system', 'DENY', 'selector: {matchLabels: {istio: ingressgateway}}'), gateway)).toBe(true);
    expect(applies(policy('g', 'kubeflow', 'DENY', 'selector: {matchLabels: {istio: ingressgateway}}'), gateway)).toBe(false);
  });
});
