import { asArray, asObject, asString, dig } from '../core/json.js';
import type { FieldPath, Inventory, Resource } from '../core/types.js';
import type { GatewayWorkload } from './istio-gateways.js';
import { AUTHORIZATION_HEADER, decide, describeRequest, outsiderAccess, sortPolicies, type OutsiderAccess, type WorkloadPolicies } from './istio-authz.js';
import { action, policyApplies, policyRules, strings } from './istio-policies.js';
import { extensionProviders, meshConfigKnown, rootNamespace } from './mesh-config.js';
import { append } from '../core/arrays.js';
import { containersSettingEnv } from './container-index.js';

const ENVOY_FILTER = 'networking.istio.io/EnvoyFilter';
const AUTHORIZATION_POLICY = 'security.istio.io/AuthorizationPolicy';

/** Request paths that must be authenticated: the dashboard's root and the Pipelines UI. */
const PROTECTED_PATHS = ['/', '/pipeline/'];

export interface AuthMechanism {
  resource: Resource;
  path: FieldPath;
  /** `ext_authz EnvoyFilter istio-system/authn-filter`, `CUSTOM AuthorizationPolicy ... (provider oauth2-proxy)`. */
  text: string;
  /** Host of the authorization service (`authservice.istio-system.svc.cluster.local`), when known. */
  service: string | null;
}

export interface AuthNote {
  resource: Resource;
  path: FieldPath;
  text: string;
}

export interface GatewayAuth {
  /** ext_authz filters and CUSTOM policies (with a registered provider) that cover every protected path. */
  complete: AuthMechanism[];
  /** Mechanisms that leave some requests to the dashboard unauthenticated, with what they leave out. */
  partial: Array<AuthMechanism & { gap: string }>;
  /** Filters that make every request one fixed user (Kubeflow's anonymous-user filter). */
  anonymous: AuthNote[];
  /** CUSTOM policies whose provider the mesh config does not register: they authenticate nothing. */
  unregistered: AuthNote[];
}

/**
 * What authenticates requests at an ingress gateway's pods: an ext_authz EnvoyFilter (oidc-authservice,
 * Kubeflow 1.3-1.8), and the AuthorizationPolicies judged as Istio evaluates them (istio-authz.ts). A
 * CUSTOM policy (oauth2-proxy, 1.9+) is complete when no outsider request gets past it unauthenticated,
 * partial when one does (the Authorization-header exception with nothing checking the token, or paths
 * its rules leave out); DENY and ALLOW policies that turn every outsider away (a JWT requirement) count
 * as complete. The ALLOW-all that Kubeflow ships on the gateway authenticates nobody.
 */
export function gatewayAuth(inventory: Inventory, workload: GatewayWorkload): GatewayAuth {
  const key = `gatewayAuth:${JSON.stringify(workload.members)}:${workload.gatewayApi?.ref.name ?? ''}`;
  return inventory.memo(key, () => {
    const root = rootNamespace(inventory);
    const result: GatewayAuth = { complete: [], partial: [], anonymous: [], unregistered: [] };
    for (const filter of inventory.ofKind(ENVOY_FILTER)) {
      if (!policyApplies(filter, workload, root)) continue;
      const extAuthz = extAuthzPatch(filter);
      if (extAuthz) result.complete.push(extAuthz);
      append(result.anonymous, fixedUserPatches(filter, userIdHeaders(inventory)));
    }
    const providers = new Map(extensionProviders(inventory).map((p) => [p.name, p]));
    const applicable = inventory.ofKind(AUTHORIZATION_POLICY).filter((policy) => policyApplies(policy, workload, root));
    for (const policy of applicable) {
      if (action(policy) !== 'CUSTOM') continue;
      const providerName = asString(dig(policy.obj, 'spec', 'provider', 'name'));
      if (!providers.has(providerName ?? '') && (meshConfigKnown(inventory) || !providerName)) {
        result.unregistered.push({
          resource: policy,
          path: ['spec', 'provider', 'name'],
          text: `CUSTOM AuthorizationPolicy ${policy.ref.namespace}/${policy.ref.name} names provider ${providerName ?? '(none)'}, which the mesh config (ConfigMap istio-system/istio, key mesh) does not register`,
        });
      }
    }
    const registered = (name: string | null) => name !== null && (providers.has(name) || !meshConfigKnown(inventory));
    const policies = sortPolicies(applicable, registered);
    const access = outsiderAccess(policies, PROTECTED_PATHS);
    const customMechanism = (policy: Resource): AuthMechanism => {
      const providerName = asString(dig(policy.obj, 'spec', 'provider', 'name'));
      return {
        resource: policy,
        path: ['spec', 'provider', 'name'],
        text: `CUSTOM AuthorizationPolicy ${policy.ref.namespace}/${policy.ref.name} (provider ${providerName})`,
        service: providers.get(providerName ?? '')?.service ?? null,
      };
    };
    const witness = access.open[0];
    if (!witness) {
      if (access.authenticatedBy.length > 0) result.complete.push(...access.authenticatedBy.map(customMechanism));
      else result.complete.push(...access.rejectedBy.map((policy) => ({ ...rejectingMechanism(policy), service: null })));
    } else {
      // Requests that reach a CUSTOM policy are authenticated; the first one left open shows the gap.
      const custom = access.authenticatedBy[0] ?? policies.custom[0];
      if (custom) result.partial.push({ ...customMechanism(custom), gap: gapText(custom, witness, policies) });
    }
    return result;
  });
}

const EXT_AUTHZ = /envoy\.filters\.http\.ext_authz|envoy\.ext_authz|filters\.http\.ext_authz\.v3/;

function extAuthzPatch(filter: Resource): AuthMechanism | null {
  const label = `ext_authz EnvoyFilter ${filter.ref.namespace}/${filter.ref.name}`;
  const patches = asArray(dig(filter.obj, 'spec', 'configPatches'));
  for (let index = 0; index < patches.length; index++) {
    const patch = asObject(patches[index]);
    if (!patch || patch['applyTo'] !== 'HTTP_FILTER') continue;
    const context = asString(dig(patch, 'match', 'context'));
    if (context !== null && context !== 'GATEWAY' && context !== 'ANY') continue;
    if (asString(dig(patch, 'patch', 'operation')) === 'REMOVE') continue;
    const value = dig(patch, 'patch', 'value');
    if (!EXT_AUTHZ.test(JSON.stringify(value ?? null))) continue;
    const uri = asString(dig(value, 'typed_config', 'http_service', 'server_uri', 'uri')) ?? asString(dig(value, 'config', 'http_service', 'server_uri', 'uri'));
    return { resource: filter, path: ['spec', 'configPatches', index], text: label, service: uri ? hostOf(uri) : null };
  }
  // The v1alpha3 `filters` field of Istio 1.0-1.2 (kfctl-era Kubeflow).
  const legacy = asArray(dig(filter.obj, 'spec', 'filters'));
  for (let index = 0; index < legacy.length; index++) {
    const entry = asObject(legacy[index]);
    if (!entry || !EXT_AUTHZ.test(asString(entry['filterName']) ?? '')) continue;
    const listenerType = asString(dig(entry, 'listenerMatch', 'listenerType'));
    if (listenerType !== null && listenerType !== 'GATEWAY' && listenerType !== 'ANY') continue;
    const uri = asString(dig(entry, 'filterConfig', 'http_service', 'server_uri', 'uri'));
    return { resource: filter, path: ['spec', 'filters', index], text: label, service: uri ? hostOf(uri) : null };
  }
  return null;
}

function hostOf(uri: string): string | null {
  try {
    return new URL(uri).hostname;
  } catch {
    return null;
  }
}

// `headers():add("kubeflow-userid", "anonymous@kubeflow.org")` and `:replace(...)`.
const SET_HEADER = /headers\(\)\s*:\s*(?:add|replace)\(\s*["']([^"']+)["']\s*,\s*["']([^"']*)["']\s*\)/g;

/** Lua patches that set the user-id header to a literal: everyone becomes that user. */
function fixedUserPatches(filter: Resource, headers: ReadonlySet<string>): AuthNote[] {
  const out: AuthNote[] = [];
  const check = (code: string | null, path: FieldPath) => {
    if (!code) return;
    for (const match of code.matchAll(SET_HEADER)) {
      if (!headers.has(match[1]!.toLowerCase())) continue;
      out.push({
        resource: filter,
        path,
        text: `EnvoyFilter ${filter.ref.namespace}/${filter.ref.name} sets the ${match[1]} header to ${match[2] || 'an empty value'} on every request`,
      });
      return;
    }
  };
  asArray(dig(filter.obj, 'spec', 'configPatches')).forEach((patch, index) => check(luaCode(dig(patch, 'patch', 'value')), ['spec', 'configPatches', index]));
  asArray(dig(filter.obj, 'spec', 'filters')).forEach((entry, index) => check(asString(dig(entry, 'filterConfig', 'inlineCode')), ['spec', 'filters', index]));
  return out;
}

function luaCode(value: unknown): string | null {
  return (
    asString(dig(value, 'typed_config', 'inlineCode')) ??
    asString(dig(value, 'typed_config', 'inline_code')) ??
    asString(dig(value, 'typed_config', 'default_source_code', 'inline_string')) ??
    asString(dig(value, 'typed_config', 'defaultSourceCode', 'inlineString')) ??
    asString(dig(value, 'config', 'inlineCode'))
  );
}

/** The header the dashboard trusts for the user: `kubeflow-userid`, or what its `USERID_HEADER` says. */
function userIdHeaders(inventory: Inventory): ReadonlySet<string> {
  return inventory.memo('kubeflowUserIdHeaders', () => {
    const headers = new Set(['kubeflow-userid']);
    for (const configMap of inventory.ofKind('ConfigMap')) {
      const value = asString(dig(configMap.obj, 'data', 'USERID_HEADER')) ?? asString(dig(configMap.obj, 'data', 'CD_USERID_HEADER'));
      if (value && /^[A-Za-z0-9-]+$/.test(value)) headers.add(value.toLowerCase());
    }
    for (const container of containersSettingEnv(inventory, ['USERID_HEADER'])) {
      for (const env of asArray(container.container['env'])) {
        const entry = asObject(env);
        const value = asString(entry?.['value']);
        if (entry?.['name'] === 'USERID_HEADER' && value && /^[A-Za-z0-9-]+$/.test(value)) headers.add(value.toLowerCase());
      }
    }
    return headers;
  });
}

/** How a DENY or ALLOW policy that turns away every outsider request reads in a message. */
function rejectingMechanism(policy: Resource): { resource: Resource; path: FieldPath; text: string } {
  const label = `${action(policy)} AuthorizationPolicy ${policy.ref.namespace}/${policy.ref.name}`;
  const jwt = policyRules(policy).some((rule) =>
    asArray(rule['from']).some((from) => strings(dig(from, 'source', action(policy) === 'DENY' ? 'notRequestPrincipals' : 'requestPrincipals')).length > 0),
  );
  return { resource: policy, path: ['spec', 'rules'], text: jwt ? `${label}, which admits only requests with a valid JWT` : `${label}, which turns away requests from outside` };
}

/**
 * Why a CUSTOM policy leaves a request unauthenticated, from the first open request: the rule's
 * Authorization-header exception (then nothing checks the token), or paths its rules do not take.
 */
function gapText(custom: Resource, witness: OutsiderAccess['open'][number], policies: WorkloadPolicies): string {
  const rules = policyRules(custom);
  const admitted = witness.verdict.policy
    ? `${describeRequest(witness.request)} is admitted by ALLOW AuthorizationPolicy ${witness.verdict.policy.ref.namespace}/${witness.verdict.policy.ref.name}`
    : `${describeRequest(witness.request)} is admitted, as no ALLOW policy applies`;
  if (rules.length === 0) return `it has no rules, so it applies to no request (${admitted})`;
  const withoutHeader = { ...witness.request, attributes: new Map(witness.request.attributes).set(AUTHORIZATION_HEADER, null) };
  if (witness.request.attributes.get(AUTHORIZATION_HEADER) !== null && decide(withoutHeader, policies).outcome === 'custom') {
    return `it skips requests that carry an Authorization header, and neither a DENY policy on notRequestPrincipals nor an ALLOW policy requiring requestPrincipals turns them away (${admitted})`;
  }
  return `its rules leave out ${witness.request.path} (${admitted})`;
}
