import { asArray, asObject, asString } from '../core/json.js';
import { unionOfKinds } from '../core/kinds.js';
import type { FieldPath, Inventory, KindName, Resource } from '../core/types.js';
import { dexConfigPath, dexEnv, dexInstances } from './dex.js';
import type { EntryAuth } from './entry-auth.js';
import type { Reach } from './entry-graph.js';
import { GATEWAY_AUTH_NEEDS } from './exposure-needs.js';
import { gatewayAuth, type AuthMechanism } from './gateway-auth.js';
import { resolveServiceHost } from './hosts.js';
import type { GatewayWorkload } from './istio-gateways.js';
import { knownDefault } from './known-defaults.js';
import { acceptsAnyAccount, oauth2Proxies, providerOf, publicProviderOf, type OAuth2Proxy } from './oauth2-proxy.js';
import { podsBehindService, servicesForHost } from './services.js';

/** What `pathAuth` and `gatewayPathAuth` read: the entry graph, the gateway's policies, Dex and oauth2-proxy. */
export const PATH_AUTH_NEEDS: KindName[] = unionOfKinds(GATEWAY_AUTH_NEEDS, ['ConfigMap']);

/** Authentication someone must pass on a path to a UI, and how strong it is. */
export interface PathAuth {
  /** `ALB Cognito authentication`, `CUSTOM AuthorizationPolicy istio-system/x (provider oauth2-proxy)`. */
  mechanism: string;
  resource: Resource;
  path: FieldPath;
  /**
   * A login anyone can use: a Dex static user whose password hash is a published default, behind the
   * gateway's authentication. Null when the credentials are not published defaults (or unknown).
   */
  defaultLogin: { text: string; resource: Resource; path: FieldPath } | null;
  /** oauth2-proxy lets in any account of a public provider: `oauth2-proxy oauth2-proxy/oauth2-proxy lets any Google account in`. */
  anyAccount: { text: string; resource: Resource; path: FieldPath } | null;
}

/**
 * The authentication on a path from an entry point: at the entry itself (ALB, IAP, ingress-nginx), else
 * at an Istio gateway the path passes (ext_authz filter, a CUSTOM policy that closes the header gap, a
 * JWT requirement). Null when nothing on the path authenticates, or the anonymous-user filter makes
 * everyone the same user.
 */
export function pathAuth(inventory: Inventory, reach: Reach): PathAuth | null {
  if (reach.entryAuth) return entryPathAuth(reach.entryAuth);
  for (const passage of reach.passages) {
    const auth = gatewayPathAuth(inventory, passage.workload);
    if (auth) return auth;
  }
  return null;
}

/** Authentication at the entry point (a cloud load balancer's login, IAP, ingress-nginx auth): not Dex's, so not its defaults. */
export function entryPathAuth(auth: EntryAuth): PathAuth {
  return { mechanism: auth.mechanism, resource: auth.resource, path: auth.path, defaultLogin: null, anyAccount: null };
}

/** The authentication at an Istio ingress gateway's pods, when it is complete and not the anonymous-user filter. */
export function gatewayPathAuth(inventory: Inventory, workload: GatewayWorkload): PathAuth | null {
  const auth = gatewayAuth(inventory, workload);
  const mechanism = auth.complete[0];
  if (auth.anonymous.length > 0 || !mechanism) return null;
  return {
    mechanism: mechanism.text,
    resource: mechanism.resource,
    path: mechanism.path,
    defaultLogin: publishedDexLogin(inventory),
    anyAccount: openProxyBehind(inventory, mechanism),
  };
}

/** `authentication on the path: ALB Cognito authentication`, and what weakens it, for messages. */
export function pathAuthText(auth: PathAuth): string {
  const weak = auth.defaultLogin ? `, but ${auth.defaultLogin.text}` : auth.anyAccount ? `, but ${auth.anyAccount.text}` : '';
  return `authentication on the path: ${auth.mechanism}${weak}`;
}

/** Whether what lies behind is as open as without authentication: a published default login. */
export function onlyDefaultCredentials(auth: PathAuth | null): boolean {
  return auth === null || auth.defaultLogin !== null;
}

/**
 * A Dex static user whose bcrypt hash is a published default (Kubeflow's user@example.com, ...), with the
 * password database on: whoever reads the docs can log in.
 */
export function publishedDexLogin(inventory: Inventory): PathAuth['defaultLogin'] {
  return inventory.memo('publishedDexLogin', () => {
    for (const dex of dexInstances(inventory).instances) {
      if (dex.config['enablePasswordDB'] !== true) continue;
      const entries = asArray(dex.config['staticPasswords']);
      for (let index = 0; index < entries.length; index++) {
        const entry = asObject(entries[index]);
        const email = asString(entry?.['email']) ?? asString(entry?.['username']) ?? `#${index + 1}`;
        const literal = asString(entry?.['hash']);
        const fromEnv = asString(entry?.['hashFromEnv']);
        let hash: { value: string; resource: Resource; path: FieldPath } | null = null;
        if (literal !== null) hash = { value: literal, resource: dex.source.resource, path: dexConfigPath(dex, 'staticPasswords', index, 'hash') };
        else if (fromEnv) {
          const resolved = dexEnv(inventory, dex, fromEnv);
          if (resolved.state === 'value') hash = resolved;
        }
        if (hash && knownDefault('password-hash', hash.value)) {
          return { text: `Dex keeps the static user ${email} with its published default password`, resource: hash.resource, path: hash.path };
        }
      }
    }
    return null;
  });
}

/** The oauth2-proxy behind a CUSTOM policy's provider (or any, when the provider's Service is unknown) that lets in any account. */
function openProxyBehind(inventory: Inventory, mechanism: AuthMechanism): PathAuth['anyAccount'] {
  const proxies = oauth2Proxies(inventory);
  if (proxies.length === 0) return null;
  let candidates: readonly OAuth2Proxy[] = proxies;
  const host = mechanism.service ? resolveServiceHost(mechanism.service, 'default') : null;
  if (host) {
    const pods = new Set(servicesForHost(inventory, host).flatMap((service) => podsBehindService(inventory, service)));
    if (pods.size > 0) candidates = proxies.filter((proxy) => pods.has(proxy.container.pod));
  }
  for (const proxy of candidates) {
    const open = openProxyText(proxy);
    if (open) return open;
  }
  return null;
}

/** `oauth2-proxy in Deployment a/b lets any Google account in (--email-domain=*, no group, org or domain restriction)`. */
export function openProxyText(proxy: OAuth2Proxy): PathAuth['anyAccount'] {
  const provider = publicProviderOf(proxy);
  if (!provider || !acceptsAnyAccount(proxy)) return null;
  const domains = proxy.option('emailDomains');
  const where = `${proxy.container.pod.resource.ref.kind} ${proxy.container.pod.resource.ref.namespace ?? ''}/${proxy.container.pod.resource.ref.name}`;
  return {
    text: `oauth2-proxy in ${where} lets any ${provider} account in (email domain *, no group, organisation or user restriction; provider ${providerOf(proxy)})`,
    resource: domains?.resource ?? proxy.container.pod.resource,
    path: domains?.path ?? proxy.container.path,
  };
}
