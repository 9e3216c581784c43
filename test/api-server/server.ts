import { randomBytes } from 'node:crypto';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { gzipSync } from 'node:zlib';
import { loadManifests } from '../../src/loaders/files.js';
import { CATALOGUE, GROUP_VERSIONS, type ServedResource } from './catalogue.js';
import { createCertificateAuthority, type CertificateAuthority } from './tls.js';

/**
 * An HTTPS Kubernetes API server for tests and benchmarks: discovery, paginated lists, single GETs and
 * SelfSubjectAccessReview over objects from fixture manifests or generated in code, with bearer-token
 * authentication, RBAC-like denials, absent CRDs, latency and injectable faults, and a log of every
 * request. It copies what real servers do where clients can tell: items of built-in lists carry no kind or
 * apiVersion, errors are `Status` objects, large answers are gzipped when asked, lists are ordered by
 * namespace and name.
 */

export interface ForbidRule {
  /** Plural resource, e.g. `daemonsets`; `*` for all. */
  resource: string;
  /** API group; `''` (default) is the core group. */
  group?: string;
  /** `list`, `get` or `create`; all verbs when absent. */
  verb?: string;
  namespace?: string;
  name?: string;
}

/** An RBAC PolicyRule, as in a ClusterRole. */
export interface PolicyRule {
  apiGroups: readonly string[];
  resources: readonly string[];
  verbs: readonly string[];
  resourceNames?: readonly string[];
}

export interface ApiRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  accept: string;
  /** `discovery`, `list`, `get`, `create`, `version` (GET /version), or `unknown` for paths the server does not route. */
  verb: 'discovery' | 'list' | 'get' | 'create' | 'version' | 'unknown';
  group?: string;
  version?: string;
  resource?: string;
  namespace?: string;
  name?: string;
}

/** What an interceptor may do instead of the normal answer. */
export type Fault =
  | { status: number; body?: unknown; headers?: Record<string, string> }
  /** Send these bytes as the body with status 200 (e.g. broken JSON). */
  | { raw: string | Buffer; status?: number; headers?: Record<string, string> }
  /** Never answer (until the server closes). */
  | { stall: true }
  /** Send the status line, headers and the first bytes of the normal answer, then nothing more. */
  | { stallAfterBytes: number }
  /** Send the status line, headers and the first bytes of the normal answer at once, the rest after a delay. */
  | { slowBody: { afterBytes: number; delayMs: number } }
  /** Drop the connection without an answer. */
  | { destroy: true }
  /** Answer normally, after a delay. */
  | { delayMs: number }
  /**
   * A gzip bomb: status 200, `Content-Encoding: gzip`, and a body of this many bytes once decompressed
   * (a list's opening, then spaces), about a thousandth of that on the wire.
   */
  | { gzipBomb: number }
  /**
   * A list that never ends: as many items as the request's `limit` asks for (500 without one), each
   * carrying `itemBytes` of annotation, and a new continue token every time.
   */
  | { endlessList: { itemBytes: number } };

export type Interceptor = (request: ApiRequest) => Fault | undefined;

export interface LoggedRequest {
  method: string;
  path: string;
  query: string;
  /** The Accept header, which chooses between aggregated and per-group discovery. */
  accept: string;
  verb: ApiRequest['verb'];
  resource: string | null;
  namespace: string | null;
  name: string | null;
  status: number;
  authenticated: boolean;
}

export interface ApiServerOptions {
  /** Objects to serve, as manifests would hold them. */
  objects?: readonly unknown[];
  /** Manifest files or directories, read as plain files by kfscan's own loader (nothing rendered). */
  fixtures?: readonly string[];
  /** Bearer tokens accepted; one random token when absent. */
  tokens?: readonly string[];
  /**
   * Also accept a client certificate signed by the server's CA (`ca`, or the one made for it), as
   * kube-apiserver's `--client-ca-file` does: the identity is the certificate's common name.
   */
  clientCertificates?: boolean;
  forbid?: readonly ForbidRule[];
  /**
   * Allow only what these rules grant, as RBAC would for an identity bound to a ClusterRole with them
   * (discovery and SelfSubjectAccessReview stay open, as system:discovery and system:basic-user grant).
   */
  allow?: readonly PolicyRule[];
  /** Custom kinds (`group/Kind`) to serve even without objects; custom kinds with objects are served anyway. */
  installed?: readonly string[];
  /** Delay before every answer. */
  latencyMs?: number;
  intercept?: Interceptor;
  /** Shared CA, so several servers can be trusted by one kubeconfig; a new one when absent. */
  ca?: CertificateAuthority;
  /** Gzip answers above 128 KiB when the client accepts it, as kube-apiserver does (default true). */
  gzip?: boolean;
  /**
   * Aggregated discovery (`apidiscovery.k8s.io`, Kubernetes 1.26+): `/api` and `/apis` describe every
   * group, version and resource in one answer to a client that asks for it in its Accept header. `v2` (1.30+,
   * the default), `v2beta1` (1.26 to 1.29), or `false` for a server that only knows the per-group documents.
   */
  aggregatedDiscovery?: 'v2' | 'v2beta1' | false;
  /** Group versions whose aggregated entry is `Stale` (an aggregated API server that stopped answering). */
  staleGroupVersions?: readonly string[];
  /** The `gitVersion` GET /version answers (default `v1.35.0`), as a managed platform would spell it. */
  kubernetesVersion?: string;
  /**
   * Keep each encoded answer and send the same bytes to the same GET again (up to 1 GB), for benchmarks
   * whose clients, not the server's JSON and gzip, are what is measured: the objects and rules never
   * change while the server runs.
   */
  keepAnswers?: boolean;
}

export interface ApiServer {
  readonly url: string;
  readonly port: number;
  /** The CA certificate (PEM) that signed the server certificate. */
  readonly caPem: string;
  /** The first accepted token. */
  readonly token: string;
  readonly requests: LoggedRequest[];
  /** Objects served per resource (`pods`, `daemonsets.apps`). */
  count(resource: string): number;
  close(): Promise<void>;
}

interface Stored {
  namespace: string | null;
  name: string;
  object: Record<string, unknown>;
}

const GZIP_THRESHOLD = 128 * 1024;
/** k8s.io/apiserver's defaultGzipContentEncodingLevel. */
const GZIP_LEVEL = 1;
/** What one server keeps of its encoded answers (a 50,000-pod cluster's pages are about half a gigabyte). */
const ANSWER_CACHE_BYTES = 1024 * 1024 * 1024;
const RESOURCE_VERSION = '4242';

let sharedCa: Promise<CertificateAuthority> | null = null;
/** One CA per process is enough for most tests. */
export function defaultCertificateAuthority(): Promise<CertificateAuthority> {
  sharedCa ??= createCertificateAuthority();
  return sharedCa;
}

export async function startApiServer(options: ApiServerOptions = {}): Promise<ApiServer> {
  const ca = options.ca ?? (await defaultCertificateAuthority());
  const tokens = options.tokens ?? [randomBytes(16).toString('hex')];
  const served = new Map<string, ServedResource>(); // `${group}/${resource}`
  const store = new Map<string, Stored[]>();

  for (const resource of CATALOGUE) if (!resource.custom) served.set(key(resource.group, resource.resource), resource);
  for (const name of options.installed ?? []) install(served, name);

  const objects: Array<{ object: Record<string, unknown>; namespaceHint: string | null }> = [];
  for (const object of options.objects ?? []) objects.push({ object: structuredClone(object) as Record<string, unknown>, namespaceHint: null });
  if (options.fixtures && options.fixtures.length > 0) {
    const loaded = await loadManifests(options.fixtures, { cwd: process.cwd(), maxFileBytes: 64 * 1024 * 1024 });
    for (const item of loaded.objects) objects.push({ object: structuredClone(item.obj), namespaceHint: item.namespaceHint });
  }
  for (const { object: original, namespaceHint } of objects) {
    const object = servedVersion(original);
    const apiVersion = typeof object['apiVersion'] === 'string' ? object['apiVersion'] : '';
    const kind = typeof object['kind'] === 'string' ? object['kind'] : '';
    const metadata = (object['metadata'] ?? {}) as Record<string, unknown>;
    if (!kind || typeof metadata['name'] !== 'string') continue;
    const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
    const resource = install(served, `${group}/${kind}`, apiVersion.slice(apiVersion.indexOf('/') + 1));
    const namespace = resource.namespaced ? (typeof metadata['namespace'] === 'string' ? metadata['namespace'] : (namespaceHint ?? 'default')) : null;
    if (namespace !== null) metadata['namespace'] = namespace;
    else delete metadata['namespace'];
    object['metadata'] = metadata;
    const list = store.get(key(resource.group, resource.resource)) ?? [];
    list.push({ namespace, name: metadata['name'], object });
    store.set(key(resource.group, resource.resource), list);
  }
  // etcd order: by namespace, then name; a later object of the same name replaces the earlier one.
  for (const [storeKey, list] of store) {
    const unique = new Map(list.map((entry) => [`${entry.namespace ?? ''}/${entry.name}`, entry]));
    store.set(storeKey, [...unique.values()].sort((a, b) => compare(a.namespace ?? '', b.namespace ?? '') || compare(a.name, b.name)));
  }

  const requests: LoggedRequest[] = [];
  const tls = await ca.serverCertificate();
  const server = https.createServer({ key: tls.keyPem, cert: tls.certPem, ...(options.clientCertificates ? { ca: ca.certPem, requestCert: true, rejectUnauthorized: false } : {}) }, (req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(req, res, 500, statusBody(500, 'InternalError', String(error)));
    });
  });
  server.keepAliveTimeout = 30_000;

  const log = (request: ApiRequest, status: number, authenticated: boolean): void => {
    requests.push({
      method: request.method,
      path: request.path,
      query: request.query.toString(),
      accept: request.accept,
      verb: request.verb,
      resource: request.resource === undefined ? null : display(request.group ?? '', request.resource),
      namespace: request.namespace ?? null,
      name: request.name ?? null,
      status,
      authenticated,
    });
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'https://localhost');
    const request = route(req.method ?? 'GET', url, req.headers['accept'] ?? '');
    const body = await readBody(req);
    const authorization = req.headers['authorization'] ?? '';
    const authenticated = tokens.some((token) => authorization === `Bearer ${token}`) || (options.clientCertificates === true && clientCertificateAccepted(req));
    if (options.latencyMs) await sleep(options.latencyMs);
    if (!authenticated) {
      log(request, 401, false);
      send(req, res, 401, statusBody(401, 'Unauthorized', 'Unauthorized'));
      return;
    }
    const fault = options.intercept?.(request);
    if (fault && ('stallAfterBytes' in fault || 'slowBody' in fault)) {
      // The normal answer's first bytes at once; the rest after the delay, or never.
      const [status, answer] = answerFor(request, body);
      log(request, status, true);
      const payload = Buffer.from(JSON.stringify(answer));
      const head = Math.min('slowBody' in fault ? fault.slowBody.afterBytes : fault.stallAfterBytes, payload.length - 1);
      res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': String(payload.length) });
      res.write(payload.subarray(0, head));
      if ('slowBody' in fault) {
        await sleep(fault.slowBody.delayMs);
        res.end(payload.subarray(head));
      }
      return;
    }
    if (fault && 'delayMs' in fault) await sleep(fault.delayMs);
    else if (fault && 'gzipBomb' in fault) {
      log(request, 200, true);
      const payload = gzipBomb(fault.gzipBomb);
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip', 'Content-Length': String(payload.length) });
      res.end(payload);
      return;
    } else if (fault && 'endlessList' in fault) {
      log(request, 200, true);
      send(req, res, 200, endlessPage(request, fault.endlessList.itemBytes), {}, options.gzip !== false);
      return;
    } else if (fault) {
      if ('stall' in fault) {
        log(request, 0, true);
        return;
      }
      if ('destroy' in fault) {
        log(request, 0, true);
        req.socket.destroy();
        return;
      }
      const status = fault.status ?? 200;
      log(request, status, true);
      const payload = 'raw' in fault ? (typeof fault.raw === 'string' ? Buffer.from(fault.raw) : fault.raw) : fault.body === undefined ? statusBody(status, 'Fault', 'injected fault') : fault.body;
      send(req, res, status, payload, fault.headers, options.gzip !== false);
      return;
    }
    const cacheKey = options.keepAnswers && request.method === 'GET' ? `${req.url ?? ''}\n${request.accept}\n${String(req.headers['accept-encoding'] ?? '')}` : null;
    const cached = cacheKey === null ? undefined : answers.get(cacheKey);
    if (cached) {
      log(request, cached.status, true);
      write(res, cached);
      return;
    }
    const [status, answer] = answerFor(request, body);
    log(request, status, true);
    const aggregated: Record<string, string> = isAggregatedDiscovery(answer) ? { 'Content-Type': `application/json;g=apidiscovery.k8s.io;v=${options.aggregatedDiscovery || 'v2'};as=APIGroupDiscoveryList` } : {};
    const encoded = encode(req, status, answer, aggregated, options.gzip !== false);
    if (cacheKey !== null && cachedBytes + encoded.payload.length <= ANSWER_CACHE_BYTES) {
      answers.set(cacheKey, encoded);
      cachedBytes += encoded.payload.length;
    }
    write(res, encoded);
  };
  const answers = new Map<string, Encoded>();
  let cachedBytes = 0;

  const answerFor = (request: ApiRequest, body: Buffer): [number, unknown] => {
    const { group = '', version, resource, namespace, name } = request;
    if (request.verb === 'discovery') {
      const version = options.aggregatedDiscovery ?? 'v2';
      if (version && acceptsAggregated(request.accept, version) && (request.path === '/api' || request.path === '/apis')) {
        return [200, aggregatedDiscovery(request.path === '/api', version, served, new Set(options.staleGroupVersions ?? []))];
      }
      return discovery(request, served);
    }
    if (request.verb === 'version') return [200, versionInfo(options.kubernetesVersion ?? 'v1.35.0')];
    if (request.verb === 'unknown' || resource === undefined || version === undefined) return notFound(request.path);
    const entry = served.get(key(group, resource));
    if (!entry || !entry.versions.includes(version)) return notFound(request.path);
    if (request.verb === 'create') {
      if (group === 'authorization.k8s.io' && resource === 'selfsubjectaccessreviews' && request.method === 'POST') {
        if (isForbidden(options.forbid, 'create', group, resource)) return forbidden('create', group, resource, null, null);
        return [201, accessReview(body, (verb, g, r, ns, n) => denied(options, verb, g, r, ns, n))];
      }
      return [405, statusBody(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`)];
    }
    if (!entry.namespaced && namespace !== undefined) return notFound(request.path);
    if (denied(options, request.verb, group, resource, namespace, name)) return forbidden(request.verb, group, resource, namespace ?? null, name ?? null);
    const all = store.get(key(group, resource)) ?? [];
    if (request.verb === 'get') {
      const found = all.find((entry) => entry.name === name && (entry.namespace ?? undefined) === namespace);
      if (!found) return [404, statusBody(404, 'NotFound', `${display(group, resource)} "${name}" not found`)];
      return [200, asServed(found.object, entry, version, true)];
    }
    return list(request, entry, version, namespace === undefined ? all : all.filter((stored) => stored.namespace === namespace));
  };

  const list = (request: ApiRequest, entry: ServedResource, version: string, items: readonly Stored[]): [number, unknown] => {
    const scope = `${entry.group}/${entry.resource}/${request.namespace ?? ''}`;
    let offset = 0;
    const token = request.query.get('continue');
    if (token) {
      const decoded = decodeContinue(token);
      if (!decoded || decoded.scope !== scope || decoded.offset > items.length) {
        return [400, statusBody(400, 'BadRequest', 'continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)')];
      }
      offset = decoded.offset;
    }
    const limit = Number(request.query.get('limit') ?? '0');
    const end = limit > 0 ? Math.min(items.length, offset + limit) : items.length;
    const page = items.slice(offset, end).map((stored) => asServed(stored.object, entry, version, false));
    const metadata: Record<string, unknown> = { resourceVersion: RESOURCE_VERSION };
    if (end < items.length) {
      metadata['continue'] = encodeContinue({ scope, offset: end });
      metadata['remainingItemCount'] = items.length - end;
    }
    return [200, { kind: `${entry.kind}List`, apiVersion: groupVersion(entry.group, version), metadata, items: page }];
  };

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `https://127.0.0.1:${port}`,
    port,
    caPem: ca.certPem,
    token: tokens[0]!,
    requests,
    count: (resource) => {
      const [plural, ...groupParts] = resource.split('.');
      return store.get(key(groupParts.join('.'), plural!))?.length ?? 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** GET /version as kube-apiserver answers it. */
function versionInfo(gitVersion: string): Record<string, string> {
  const [, major = '1', minor = '35'] = /^v?(\d+)\.(\d+)/.exec(gitVersion) ?? [];
  return {
    major,
    minor,
    gitVersion,
    gitCommit: '0'.repeat(40),
    gitTreeState: 'clean',
    buildDate: '2026-01-01T00:00:00Z',
    goVersion: 'go1.25.0',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}

function install(served: Map<string, ServedResource>, qualified: string, versionHint?: string): ServedResource {
  const slash = qualified.lastIndexOf('/');
  const group = slash === -1 ? '' : qualified.slice(0, slash);
  const kind = qualified.slice(slash + 1);
  const known = CATALOGUE.find((entry) => entry.group === group && entry.kind === kind);
  if (known) {
    served.set(key(group, known.resource), known);
    return known;
  }
  const existing = [...served.values()].find((entry) => entry.group === group && entry.kind === kind);
  if (existing) return existing;
  // A kind the catalogue does not know: serve it as a custom resource in the version the manifest uses.
  const resource: ServedResource = {
    group,
    versions: [versionHint || 'v1'],
    kind,
    resource: `${kind.toLowerCase()}s`,
    namespaced: true,
    custom: true,
    verbs: ['get', 'list'],
    subresources: [],
  };
  served.set(key(group, resource.resource), resource);
  return resource;
}

function route(method: string, url: URL, accept: string): ApiRequest {
  const segments = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  const base: ApiRequest = { method, path: url.pathname, query: url.searchParams, accept, verb: 'unknown' };
  let group: string;
  let rest: string[];
  if (method === 'GET' && url.pathname === '/version') return { ...base, verb: 'version' };
  if (segments[0] === 'api') {
    if (segments.length <= 2) return { ...base, verb: 'discovery' };
    group = '';
    rest = segments.slice(1);
  } else if (segments[0] === 'apis') {
    if (segments.length <= 3) return { ...base, verb: 'discovery' };
    group = segments[1]!;
    rest = segments.slice(2);
  } else {
    return base;
  }
  const [version, ...path] = rest;
  let namespace: string | undefined;
  let resource: string | undefined;
  let name: string | undefined;
  if (path[0] === 'namespaces' && path.length >= 3) {
    [, namespace, resource, name] = path;
    if (path.length > 4) return base;
  } else {
    [resource, name] = path;
    if (path.length > 2) return base;
  }
  const verb = method === 'GET' ? (name === undefined ? 'list' : 'get') : 'create';
  return {
    ...base,
    verb,
    group,
    ...(version !== undefined ? { version } : {}),
    ...(resource !== undefined ? { resource } : {}),
    ...(namespace !== undefined ? { namespace } : {}),
    ...(name !== undefined ? { name } : {}),
  };
}

function discovery(request: ApiRequest, served: Map<string, ServedResource>): [number, unknown] {
  const segments = request.path.split('/').filter(Boolean);
  if (request.method !== 'GET') return [405, statusBody(405, 'MethodNotAllowed', 'method not allowed')];
  const groups = new Map<string, readonly string[]>();
  for (const entry of served.values()) {
    if (!groups.has(entry.group)) groups.set(entry.group, GROUP_VERSIONS[entry.group] ?? entry.versions);
  }
  const versionsOf = (group: string): string[] => (groups.get(group) ?? []).filter((version) => [...served.values()].some((e) => e.group === group && e.versions.includes(version)));
  if (segments[0] === 'api' && segments.length === 1) {
    return [200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '10.0.0.1:6443' }] }];
  }
  if (segments[0] === 'apis' && segments.length === 1) {
    const list = [...groups.keys()]
      .filter((group) => group !== '')
      .map((group) => groupDocument(group, versionsOf(group)))
      .filter((group) => group.versions.length > 0);
    return [200, { kind: 'APIGroupList', apiVersion: 'v1', groups: list }];
  }
  if (segments[0] === 'apis' && segments.length === 2) {
    const versions = versionsOf(segments[1]!);
    return versions.length > 0 ? [200, { kind: 'APIGroup', apiVersion: 'v1', ...groupDocument(segments[1]!, versions) }] : notFound(request.path);
  }
  const group = segments[0] === 'api' ? '' : segments[1]!;
  const version = segments[0] === 'api' ? segments[1]! : segments[2]!;
  const resources = [...served.values()].filter((entry) => entry.group === group && entry.versions.includes(version));
  if (resources.length === 0) return notFound(request.path);
  return [
    200,
    {
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion: groupVersion(group, version),
      resources: resources.flatMap((entry) => [
        { name: entry.resource, singularName: entry.kind.toLowerCase(), namespaced: entry.namespaced, kind: entry.kind, verbs: entry.verbs },
        ...entry.subresources.map((sub) => ({ name: `${entry.resource}/${sub}`, singularName: '', namespaced: entry.namespaced, kind: entry.kind, verbs: ['get', 'patch', 'update'] })),
      ]),
    },
  ];
}

/** Whether the Accept header asks for the aggregated document of this version (`as=APIGroupDiscoveryList`). */
function acceptsAggregated(accept: string, version: 'v2' | 'v2beta1'): boolean {
  return accept.split(',').some((type) => {
    const parameters = new Map(
      type
        .split(';')
        .slice(1)
        .map((part) => part.trim().split('=') as [string, string]),
    );
    return parameters.get('g') === 'apidiscovery.k8s.io' && parameters.get('v') === version && parameters.get('as') === 'APIGroupDiscoveryList';
  });
}

function isAggregatedDiscovery(answer: unknown): boolean {
  return typeof answer === 'object' && answer !== null && (answer as { kind?: unknown }).kind === 'APIGroupDiscoveryList';
}

/**
 * The aggregated discovery document as kube-apiserver serves it: for `/api` the core group (no name), for
 * `/apis` every other group, versions in order of preference, each resource with its scope, verbs and
 * subresources; `freshness` is `Stale` for a group version whose aggregated API server does not answer.
 */
function aggregatedDiscovery(core: boolean, version: 'v2' | 'v2beta1', served: Map<string, ServedResource>, stale: ReadonlySet<string>) {
  const groups = new Map<string, ServedResource[]>();
  for (const entry of served.values()) {
    if ((entry.group === '') !== core) continue;
    const list = groups.get(entry.group) ?? [];
    list.push(entry);
    groups.set(entry.group, list);
  }
  const items = [...groups].map(([group, entries]) => {
    const versions = (GROUP_VERSIONS[group] ?? entries[0]!.versions).filter((v) => entries.some((entry) => entry.versions.includes(v)));
    return {
      metadata: group === '' ? { creationTimestamp: null } : { name: group, creationTimestamp: null },
      versions: versions.map((v) => ({
        version: v,
        resources: entries
          .filter((entry) => entry.versions.includes(v))
          .map((entry) => ({
            resource: entry.resource,
            responseKind: { group, version: v, kind: entry.kind },
            scope: entry.namespaced ? 'Namespaced' : 'Cluster',
            singularResource: entry.kind.toLowerCase(),
            verbs: entry.verbs,
            ...(entry.subresources.length > 0 ? { subresources: entry.subresources.map((sub) => ({ subresource: sub, responseKind: { group, version: v, kind: entry.kind }, verbs: ['get', 'patch', 'update'] })) } : {}),
          })),
        freshness: stale.has(groupVersion(group, v)) ? 'Stale' : 'Current',
      })),
    };
  });
  return { kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${version}`, metadata: {}, items };
}

function groupDocument(group: string, versions: readonly string[]) {
  return {
    name: group,
    versions: versions.map((version) => ({ groupVersion: groupVersion(group, version), version })),
    preferredVersion: { groupVersion: groupVersion(group, versions[0]!), version: versions[0]! },
  };
}

function asServed(object: Record<string, unknown>, entry: ServedResource, version: string, single: boolean): Record<string, unknown> {
  // Built-in list items come without kind and apiVersion; custom resources (and single GETs) carry them.
  if (!single && !entry.custom) {
    const { kind: _kind, apiVersion: _apiVersion, ...rest } = object;
    return rest;
  }
  return { ...object, apiVersion: groupVersion(entry.group, version), kind: entry.kind };
}

type Decision = (verb: string, group: string, resource: string, namespace?: string, name?: string) => boolean;

function denied(options: ApiServerOptions, verb: string, group: string, resource: string, namespace?: string, name?: string): boolean {
  if (isForbidden(options.forbid, verb, group, resource, namespace, name)) return true;
  if (!options.allow) return false;
  return !options.allow.some(
    (rule) =>
      (rule.apiGroups.includes('*') || rule.apiGroups.includes(group)) &&
      (rule.resources.includes('*') || rule.resources.includes(resource)) &&
      (rule.verbs.includes('*') || rule.verbs.includes(verb)) &&
      (rule.resourceNames === undefined || rule.resourceNames.length === 0 || (name !== undefined && rule.resourceNames.includes(name))),
  );
}

function accessReview(body: Buffer, isDenied: Decision): unknown {
  let review: { spec?: { resourceAttributes?: Record<string, string> } } = {};
  try {
    review = JSON.parse(body.toString('utf8'));
  } catch {
    // An empty review is denied below.
  }
  const attributes = review.spec?.resourceAttributes ?? {};
  const verb = attributes['verb'] ?? '';
  const no = !verb || isDenied(verb, attributes['group'] ?? '', attributes['resource'] ?? '', attributes['namespace'], attributes['name']);
  return {
    apiVersion: 'authorization.k8s.io/v1',
    kind: 'SelfSubjectAccessReview',
    metadata: { creationTimestamp: null },
    spec: review.spec ?? {},
    status: no ? { allowed: false, reason: 'no RBAC policy matched' } : { allowed: true, reason: 'RBAC: allowed by ClusterRoleBinding "test"' },
  };
}

function isForbidden(rules: readonly ForbidRule[] | undefined, verb: string, group: string, resource: string, namespace?: string, name?: string): boolean {
  return (rules ?? []).some(
    (rule) =>
      (rule.group ?? '') === group &&
      (rule.resource === '*' || rule.resource === resource) &&
      (rule.verb === undefined || rule.verb === verb) &&
      (rule.namespace === undefined || rule.namespace === namespace) &&
      (rule.name === undefined || rule.name === name),
  );
}

function forbidden(verb: string, group: string, resource: string, namespace: string | null, name: string | null): [number, unknown] {
  const where = namespace ? `in the namespace "${namespace}"` : 'at the cluster scope';
  const what = name ? `${display(group, resource)} "${name}"` : display(group, resource);
  return [403, statusBody(403, 'Forbidden', `${what} is forbidden: User "system:serviceaccount:test:kfscan" cannot ${verb} resource "${resource}" in API group "${group}" ${where}`)];
}

function notFound(path: string): [number, unknown] {
  return [404, statusBody(404, 'NotFound', `the server could not find the requested resource (${path})`)];
}

function statusBody(code: number, reason: string, message: string) {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

interface Encoded {
  status: number;
  headers: Record<string, string>;
  payload: Buffer;
}

function send(req: IncomingMessage, res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}, gzip = true): void {
  write(res, encode(req, status, body, headers, gzip));
}

function encode(req: IncomingMessage, status: number, body: unknown, headers: Record<string, string> = {}, gzip = true): Encoded {
  let payload = Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
  const out: Record<string, string> = { 'Content-Type': 'application/json', ...headers };
  if (gzip && payload.length > GZIP_THRESHOLD && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) {
    // kube-apiserver's level: the least CPU for nearly the same size.
    payload = gzipSync(payload, { level: GZIP_LEVEL });
    out['Content-Encoding'] = 'gzip';
  }
  out['Content-Length'] = String(payload.length);
  return { status, headers: out, payload };
}

function write(res: ServerResponse, { status, headers, payload }: Encoded): void {
  res.writeHead(status, headers);
  res.end(payload);
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

// One gzip member of a mebibyte of spaces is about a kilobyte; gzip readers read members one after another.
const MEBIBYTE_OF_SPACES = gzipSync(Buffer.alloc(1024 * 1024, 0x20), { level: 9 });

function gzipBomb(bytes: number): Buffer {
  const opening = gzipSync('{"kind":"PodList","apiVersion":"v1","metadata":{},"items":[');
  return Buffer.concat([opening, ...Array.from({ length: Math.ceil(bytes / (1024 * 1024)) }, () => MEBIBYTE_OF_SPACES)]);
}

let endlessPages = 0;

/** A page of a list that never ends: `limit` pods with large annotations, and a continue token never seen before. */
function endlessPage(request: ApiRequest, itemBytes: number): Buffer {
  const page = ++endlessPages;
  const limit = Number(request.query.get('limit') ?? '500') || 500;
  const filler = 'x'.repeat(itemBytes);
  // Each item's filler differs (its name leads), as a server out to fill kfscan's memory would send it:
  // equal values of a page are kept once (src/live/prune.ts), so one repeated filler would take no room.
  const items = Array.from({ length: limit }, (_, index) => `{"metadata":{"name":"endless-${page}-${index}","namespace":"endless","annotations":{"filler":"${page}-${index}-${filler}"}},"spec":{"containers":[{"name":"main","image":"registry.example.com/app:1.0.${index}"}]}}`);
  return Buffer.from(`{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"1","continue":"endless-${page}"},"items":[${items.join(',')}]}`);
}

function encodeContinue(value: { scope: string; offset: number }): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** A client certificate the server's CA signed, with a user name in it (a connection without one has none). */
function clientCertificateAccepted(req: IncomingMessage): boolean {
  const socket = req.socket as TLSSocket;
  return socket.authorized && typeof socket.getPeerCertificate().subject?.CN === 'string';
}

function decodeContinue(token: string): { scope: string; offset: number } | null {
  try {
    const value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { scope?: unknown; offset?: unknown };
    return typeof value.scope === 'string' && typeof value.offset === 'number' && value.offset >= 0 ? { scope: value.scope, offset: value.offset } : null;
  } catch {
    return null;
  }
}

function groupVersion(group: string, version: string): string {
  return group === '' ? version : `${group}/${version}`;
}

function key(group: string, resource: string): string {
  return `${group}/${resource}`;
}

function display(group: string, resource: string): string {
  return group === '' ? resource : `${resource}.${group}`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * A real API server stores an object created through a removed version (extensions/v1beta1 Ingress,
 * apps/v1beta2 Deployment) and serves it through the current one, converted: so does this one.
 */
function servedVersion(object: Record<string, unknown>): Record<string, unknown> {
  const apiVersion = object['apiVersion'];
  const kind = object['kind'];
  if (kind === 'Ingress' && (apiVersion === 'extensions/v1beta1' || apiVersion === 'networking.k8s.io/v1beta1')) {
    return { ...object, apiVersion: 'networking.k8s.io/v1', spec: ingressV1Spec(object['spec']) };
  }
  if (typeof apiVersion === 'string' && /^(apps|extensions)\/v1beta[12]$/.test(apiVersion) && ['Deployment', 'DaemonSet', 'ReplicaSet', 'StatefulSet'].includes(String(kind))) {
    return { ...object, apiVersion: 'apps/v1' };
  }
  return object;
}

function ingressV1Spec(spec: unknown): unknown {
  if (typeof spec !== 'object' || spec === null) return spec;
  const { backend, rules, ...rest } = spec as Record<string, unknown>;
  const convertBackend = (value: unknown): unknown => {
    if (typeof value !== 'object' || value === null) return value;
    const { serviceName, servicePort, ...other } = value as Record<string, unknown>;
    if (serviceName === undefined) return value;
    const port = typeof servicePort === 'number' ? { number: servicePort } : { name: servicePort };
    return { ...other, service: { name: serviceName, port } };
  };
  const convertedRules = Array.isArray(rules)
    ? rules.map((rule) => {
        if (typeof rule !== 'object' || rule === null) return rule;
        const http = (rule as Record<string, unknown>)['http'] as Record<string, unknown> | undefined;
        if (!http || !Array.isArray(http['paths'])) return rule;
        const paths = http['paths'].map((path) =>
          typeof path === 'object' && path !== null
            ? { pathType: 'ImplementationSpecific', ...(path as Record<string, unknown>), backend: convertBackend((path as Record<string, unknown>)['backend']) }
            : path,
        );
        return { ...(rule as Record<string, unknown>), http: { ...http, paths } };
      })
    : rules;
  return { ...rest, ...(backend !== undefined ? { defaultBackend: convertBackend(backend) } : {}), ...(rules !== undefined ? { rules: convertedRules } : {}) };
}
