import { asArray, asObject, asString } from '../core/json.js';
import type { ContainerSite, FieldPath, Inventory, Resource } from '../core/types.js';
import { resolveEnv } from './container-env.js';
import { dexConfigPath, dexInstances, type DexInstance } from './dex.js';
import type { EntryAuth } from './entry-auth.js';
import { externalReaches } from './entry-graph.js';
import { gatewayAuth, type AuthMechanism } from './gateway-auth.js';
import { resolveServiceHost } from './hosts.js';
import { imageNameMatches } from './image-ref.js';
import { kubeflowIngresses, type KubeflowIngress } from './kubeflow-ingress.js';
import { kubeflowUiOf } from './kubeflow-uis.js';
import { oauth2Proxies, providerOf, type OAuth2Proxy } from './oauth2-proxy.js';
import { AUTH_SECRETS } from './secrets.js';
import { podsBehindService, servicesForHost } from './services.js';
import { append } from '../core/arrays.js';
import { trimEnd } from '../core/text-scan.js';

/** How users log in to Kubeflow on one path, as far as MFA is concerned. */
export type LoginPath =
  /** Through Dex: its connectors decide. */
  | { kind: 'dex'; dex: DexInstance; via: string }
  /** An upstream identity provider (Cognito, Google, an OIDC issuer) that may enforce MFA, invisibly to the cluster. */
  | { kind: 'federated'; what: string; resource: Resource; path: FieldPath }
  /** One password shared by everyone (basic auth at the ingress). */
  | { kind: 'shared-password'; what: string; resource: Resource; path: FieldPath };

export interface KubeflowLogin {
  paths: LoginPath[];
  /** Kubeflow gateways that authenticate nobody (no mechanism, or the anonymous-user filter). */
  unauthenticated: KubeflowIngress[];
  unreadable: string[];
}

const AUTHSERVICE_IMAGE = /(?:^|\/)oidc-authservice$/;

/**
 * The identity providers behind Kubeflow's login: followed from the authentication at each Kubeflow
 * gateway (oidc-authservice's OIDC_PROVIDER, oauth2-proxy's provider and issuer) and at the entry
 * points (ALB Cognito, IAP, basic auth), to Dex or to an upstream IdP. A Dex config with nothing in
 * front that the input shows still counts: the input may hold only the identity part of an install.
 */
export function kubeflowLogin(inventory: Inventory): KubeflowLogin {
  return inventory.memo('kubeflowLogin', () => {
    const result: KubeflowLogin = { paths: [], unauthenticated: [], unreadable: [] };
    const dex = dexInstances(inventory);
    append(result.unreadable, dex.unreadable);

    for (const ingress of kubeflowIngresses(inventory)) {
      const auth = gatewayAuth(inventory, ingress.workload);
      const mechanisms = [...auth.complete, ...auth.partial];
      if (auth.anonymous.length > 0 || mechanisms.length === 0) {
        if (!entryAuthCoversAll(inventory, ingress)) result.unauthenticated.push(ingress);
      }
      for (const mechanism of mechanisms) append(result.paths, pathsBehind(inventory, mechanism, dex.instances, result.unreadable));
    }
    for (const reach of externalReaches(inventory)) {
      if (!reach.entryAuth || !kubeflowUiOf(reach.target.name, reach.target.pods)) continue;
      result.paths.push(entryPath(reach.entryAuth));
    }
    // Input with Dex but nothing that shows what uses it (only the identity part of an install). Where
    // Kubeflow's gateway authenticates nobody, Dex is not on the way in.
    if (result.paths.length === 0 && result.unauthenticated.length === 0) for (const instance of dex.instances) result.paths.push({ kind: 'dex', dex: instance, via: 'Dex' });
    return result;
  });
}

function entryAuthCoversAll(inventory: Inventory, ingress: KubeflowIngress): boolean {
  const reaches = externalReaches(inventory).filter((r) => r.passages.some((p) => p.gateway === ingress.gateway));
  return reaches.length > 0 && reaches.every((r) => r.entryAuth !== null);
}

function entryPath(auth: EntryAuth): LoginPath {
  return auth.login === 'shared-password'
    ? { kind: 'shared-password', what: auth.mechanism, resource: auth.resource, path: auth.path }
    : { kind: 'federated', what: auth.mechanism, resource: auth.resource, path: auth.path };
}

function pathsBehind(inventory: Inventory, mechanism: AuthMechanism, dexes: readonly DexInstance[], unreadable: string[]): LoginPath[] {
  const containers = mechanism.service ? containersBehindHost(inventory, mechanism.service) : [];
  const out: LoginPath[] = [];
  for (const container of containers) {
    const proxy = oauth2Proxies(inventory).find((p) => p.container === container);
    if (proxy) {
      append(unreadable, proxy.unreadable);
      out.push(oauth2ProxyPath(inventory, proxy, dexes));
      continue;
    }
    if (isAuthservice(container)) out.push(authservicePath(inventory, container, dexes, unreadable));
  }
  if (out.length === 0 && dexes.length > 0) {
    // The authorization service is not in the input (or unknown): Kubeflow's own chain ends at Dex.
    for (const dex of dexes) out.push({ kind: 'dex', dex, via: mechanism.text });
  }
  return out;
}

function containersBehindHost(inventory: Inventory, host: string): ContainerSite[] {
  const service = resolveServiceHost(host, 'default');
  if (!service) return [];
  return servicesForHost(inventory, service).flatMap((s) => podsBehindService(inventory, s).flatMap((pod) => [...pod.containers]));
}

function isAuthservice(container: ContainerSite): boolean {
  return imageNameMatches(container.container['image'], AUTHSERVICE_IMAGE);
}

function authservicePath(inventory: Inventory, container: ContainerSite, dexes: readonly DexInstance[], unreadable: string[]): LoginPath {
  const provider = resolveEnv(inventory, container, 'OIDC_PROVIDER', AUTH_SECRETS);
  if (provider.state === 'unreadable') unreadable.push(provider.reason);
  const issuer = provider.state === 'value' ? provider.value.trim() : null;
  const dex = issuer ? dexForIssuer(inventory, issuer, dexes) : (dexes[0] ?? null);
  if (dex) return { kind: 'dex', dex, via: 'oidc-authservice' };
  return {
    kind: 'federated',
    what: `oidc-authservice with OIDC provider ${issuer ?? '(unset)'}`,
    resource: provider.state === 'value' ? provider.resource : container.pod.resource,
    path: provider.state === 'value' ? provider.path : container.path,
  };
}

function oauth2ProxyPath(inventory: Inventory, proxy: OAuth2Proxy, dexes: readonly DexInstance[]): LoginPath {
  const provider = providerOf(proxy);
  const issuer = proxy.option('oidcIssuerUrl')?.values[0]?.trim() ?? null;
  const dex = issuer ? dexForIssuer(inventory, issuer, dexes) : null;
  if (dex) return { kind: 'dex', dex, via: 'oauth2-proxy' };
  const where = proxy.option('oidcIssuerUrl') ?? proxy.option('provider');
  return {
    kind: 'federated',
    what: `oauth2-proxy with provider ${provider}${issuer ? ` (issuer ${issuer})` : ''}`,
    resource: where?.resource ?? proxy.container.pod.resource,
    path: where?.path ?? proxy.container.path,
  };
}

/** The Dex whose issuer is this URL, or whose Service the URL's host names. */
function dexForIssuer(inventory: Inventory, issuer: string, dexes: readonly DexInstance[]): DexInstance | null {
  const normal = (url: string) => trimEnd(url.trim(), '/');
  const byIssuer = dexes.find((d) => normal(asString(d.config['issuer']) ?? '') === normal(issuer));
  if (byIssuer) return byIssuer;
  let host: string;
  try {
    host = new URL(issuer).hostname;
  } catch {
    return null;
  }
  const containers = containersBehindHost(inventory, host);
  return dexes.find((d) => d.container !== null && containers.includes(d.container)) ?? null;
}

/** A way Dex lets users in, and whether it can take a second factor. */
export interface DexMethod {
  kind: 'local' | 'federated' | 'test';
  /** `local password database (enablePasswordDB)`, `ldap connector "corp"`. */
  what: string;
  path: FieldPath;
}

const LOCAL_CONNECTORS = new Set(['ldap', 'keystone', 'atlassian-crowd']);
const TEST_CONNECTORS = new Set(['mockCallback', 'mockPassword']);

/** Dex's login methods, from `enablePasswordDB` and `connectors[].type`. */
export function dexMethods(dex: DexInstance): DexMethod[] {
  const methods: DexMethod[] = [];
  if (dex.config['enablePasswordDB'] === true) {
    methods.push({ kind: 'local', what: 'its local password database (enablePasswordDB)', path: dexConfigPath(dex, 'enablePasswordDB') });
  }
  asArray(dex.config['connectors']).forEach((entry, index) => {
    const connector = asObject(entry);
    const type = asString(connector?.['type']);
    if (!type) return;
    const id = asString(connector?.['id']) ?? asString(connector?.['name']) ?? String(index);
    const path = dexConfigPath(dex, 'connectors', index, 'type');
    if (LOCAL_CONNECTORS.has(type)) methods.push({ kind: 'local', what: `${type} connector "${id}" (passwords typed into Dex)`, path });
    else if (TEST_CONNECTORS.has(type)) methods.push({ kind: 'test', what: `${type} connector "${id}" (a test connector)`, path });
    else methods.push({ kind: 'federated', what: `${type} connector "${id}"`, path });
  });
  return methods;
}

/**
 * Dex's own MFA (`mfa.authenticators` with a default chain or a client chain; merged into Dex after its
 * last release): the connector types it covers, `null` for all, or an empty list when not configured.
 */
export function dexMfaCoverage(dex: DexInstance): string[] | null {
  const mfa = asObject(dex.config['mfa']);
  const authenticators = asArray(mfa?.['authenticators']).map(asObject).filter((a): a is Record<string, unknown> => a !== null);
  const chained =
    asArray(mfa?.['defaultMFAChain']).length > 0 || asArray(dex.config['staticClients']).some((c) => asArray(asObject(c)?.['mfaChain']).length > 0);
  if (authenticators.length === 0 || !chained) return [];
  if (authenticators.some((a) => asArray(a['connectorTypes']).length === 0)) return null;
  return authenticators.flatMap((a) => asArray(a['connectorTypes']).flatMap((t) => (typeof t === 'string' ? [t] : [])));
}
