import { asArray, asObject, asString, dig } from '../core/json.js';
import type { FieldPath, Inventory, Resource } from '../core/types.js';
import type { GatewayWorkload } from './istio-gateways.js';
import { action, policyApplies, policyRules, ruleCoversPath, strings } from './istio-policies.js';
import { extensionProviders, meshConfigKnown, rootNamespace } from './mesh-config.js';
import { append } from '../core/arrays.js';

const ENVOY_FILTER = 'networking.istio.io/EnvoyFilter';
const AUTHORIZATION_POLICY = 'security.istio.io/AuthorizationPolicy';
const REQUEST_AUTHENTICATION = 'security.istio.io/RequestAuthentication';

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
 * What authenticates requests at an ingress gateway's pods. Kubeflow's two designs count: an ext_authz
 * EnvoyFilter (oidc-authservice, v1.3-v1.8) and a CUSTOM AuthorizationPolicy whose provider is registered
 * in the mesh config (oauth2-proxy, v1.9+). ALLOW policies, including the ALLOW-all that Kubeflow ships
 * on the gateway, authenticate nobody and are not counted either way.
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
    const jwt = jwtEnforced(inventory, workload, root);
    const providers = new Map(extensionProviders(inventory).map((p) => [p.name, p]));
    for (const policy of inventory.ofKind(AUTHORIZATION_POLICY)) {
      if (action(policy) !== 'CUSTOM' || !policyApplies(policy, workload, root)) continue;
      const providerName = asString(dig(policy.obj, 'spec', 'provider', 'name'));
      const provider = providerName ? providers.get(providerName) : undefined;
      const label = `CUSTOM AuthorizationPolicy ${policy.ref.namespace}/${policy.ref.name}`;
      if (!provider && (meshConfigKnown(inventory) || !providerName)) {
        result.unregistered.push({
          resource: policy,
          path: ['spec', 'provider', 'name'],
          text: `${label} names provider ${providerName ?? '(none)'}, which the mesh config (ConfigMap istio-system/istio, key mesh) does not register`,
        });
        continue;
      }
      const mechanism: AuthMechanism = {
        resource: policy,
        path: ['spec', 'provider', 'name'],
        text: `${label} (provider ${providerName})`,
        service: provider?.service ?? null,
      };
      const gap = customPolicyGap(policy, jwt);
      if (gap) result.partial.push({ ...mechanism, gap });
      else result.complete.push(mechanism);
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
    for (const site of inventory.podTemplates()) {
      for (const container of site.containers) {
        for (const env of asArray(container.container['env'])) {
          const entry = asObject(env);
          const value = asString(entry?.['value']);
          if (entry?.['name'] === 'USERID_HEADER' && value && /^[A-Za-z0-9-]+$/.test(value)) headers.add(value.toLowerCase());
        }
      }
    }
    return headers;
  });
}

interface JwtEnforcement {
  enforced: boolean;
}

/**
 * Requests with a bearer token are checked by Istio itself when a RequestAuthentication validates the
 * token and a DENY policy rejects requests without a valid principal (`notRequestPrincipals: ["*"]`).
 */
function jwtEnforced(inventory: Inventory, workload: GatewayWorkload, root: string): JwtEnforcement {
  const validates = inventory
    .ofKind(REQUEST_AUTHENTICATION)
    .some((ra) => policyApplies(ra, workload, root) && asArray(dig(ra.obj, 'spec', 'jwtRules')).length > 0);
  if (!validates) return { enforced: false };
  const denies = inventory.ofKind(AUTHORIZATION_POLICY).some(
    (policy) =>
      action(policy) === 'DENY' &&
      policyApplies(policy, workload, root) &&
      PROTECTED_PATHS.every((path) =>
        policyRules(policy).some(
          (rule) =>
            ruleCoversPath(rule, path) &&
            asArray(rule['from']).some((from) => strings(dig(from, 'source', 'notRequestPrincipals')).includes('*')),
        ),
      ),
  );
  return { enforced: denies };
}

/**
 * What a CUSTOM policy leaves unauthenticated: protected paths its rules do not take (no rules at all
 * take nothing), or requests that skip it by carrying an Authorization header when nothing else checks
 * that header's token.
 */
function customPolicyGap(policy: Resource, jwt: JwtEnforcement): string | null {
  const rules = policyRules(policy);
  if (rules.length === 0) return 'it has no rules, so it applies to no request';
  const uncovered = PROTECTED_PATHS.filter((path) => !rules.some((rule) => ruleCoversPath(rule, path)));
  if (uncovered.length > 0) return `its rules leave out ${uncovered.join(' and ')}`;
  const conditional = PROTECTED_PATHS.every((path) => rules.filter((rule) => ruleCoversPath(rule, path)).every(skipsWithAuthorizationHeader));
  if (conditional && !jwt.enforced) {
    return 'it skips requests that carry an Authorization header, and no RequestAuthentication with a DENY policy on notRequestPrincipals checks those tokens';
  }
  return null;
}

function skipsWithAuthorizationHeader(rule: Record<string, unknown>): boolean {
  return asArray(rule['when']).some((entry) => {
    const condition = asObject(entry);
    return asString(condition?.['key'])?.toLowerCase() === 'request.headers[authorization]' && strings(condition?.['notValues']).includes('*');
  });
}
