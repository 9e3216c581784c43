import { spawn, type SpawnOptions } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import type { KubeConfig } from '@kubernetes/client-node';
import type { MemoryBudget } from './memory-budget.js';
import { trimEnd } from '../core/text-scan.js';

/**
 * What went wrong talking to an API server. `fatal` errors concern the whole context (cannot connect, TLS,
 * credentials rejected): scanning it further is pointless. The others concern one request.
 */
export type ApiErrorKind =
  | 'config'
  | 'unreachable'
  | 'tls'
  | 'unauthorized'
  | 'forbidden'
  | 'not-found'
  | 'gone'
  | 'too-many-requests'
  | 'server'
  | 'http'
  | 'timeout'
  | 'malformed'
  /** An answer larger than any Kubernetes answer, once decompressed (a gzip bomb). */
  | 'too-large'
  /** What the context's answers would take passes its memory budget (endless or oversized lists). */
  | 'memory'
  | 'aborted';

// A server that sends more than a Kubernetes server would is not worth reading further: its other answers
// are no more trustworthy, and memory is shared with the other contexts.
const FATAL: ReadonlySet<ApiErrorKind> = new Set(['config', 'unreachable', 'tls', 'unauthorized', 'too-large', 'memory', 'aborted']);

export class ApiError extends Error {
  constructor(
    readonly kind: ApiErrorKind,
    message: string,
    readonly status: number | null = null,
    /** Worth another attempt: a timeout, a dropped connection, throttling, a server error. */
    readonly retryable = false,
  ) {
    super(message);
  }

  get fatal(): boolean {
    return FATAL.has(this.kind);
  }
}

export interface ApiClientOptions {
  /** Time for one attempt, headers and body together. */
  timeoutMs: number;
  /** Extra attempts after a timeout, a dropped connection, 429 or 5xx. */
  retries: number;
  /** First back-off; doubles per attempt, with jitter, capped at `maxBackoffMs`. */
  backoffMs: number;
  /** The longest wait before another attempt, also when the server asks for longer (Retry-After); 10 s by default. */
  maxBackoffMs?: number;
  /** Connections kept open to the server. */
  maxSockets: number;
  userAgent: string;
  /** Aborts every request in flight, e.g. when another request found the context unusable. */
  signal?: AbortSignal;
  /** The largest answer read, decompressed; larger ones fail with `too-large` (default MAX_ANSWER_BYTES). */
  maxAnswerBytes?: number;
  /** Checked before each answer is parsed: what the context may hold in memory. */
  memory?: MemoryBudget;
  /**
   * `false` with --no-exec-credentials: a context whose user gets its credentials by running a command (an
   * exec plugin, an auth provider's cmd-path) is refused before anything runs.
   */
  execCredentials?: boolean;
}

export interface GetOptions {
  /** The Accept header when not plain JSON (aggregated discovery asks for its own media type). */
  accept?: string;
  /**
   * Sees the first HEAD_LENGTH characters of a successful answer (or all of a shorter one) as soon as they
   * have arrived, again on a retry: a paginated read finds the continue token there and asks for the next
   * page while this one is still arriving and being parsed.
   */
  onHead?: (head: string) => void;
}

export interface ApiClient {
  readonly server: string;
  get(path: string, query?: Readonly<Record<string, string>>, options?: GetOptions): Promise<unknown>;
  /** Only for SelfSubjectAccessReview, which asks and changes nothing. */
  post(path: string, body: unknown): Promise<unknown>;
  close(): void;
}

const MAX_BACKOFF_MS = 10_000;
/**
 * The largest answer kfscan reads, decompressed. A page of 500 pods with their managedFields and Istio
 * sidecars is about 5 MB, and an object is at most 1.5 MB (etcd's limit); larger pages are asked for again
 * with a smaller `limit` (list.ts). Kept this low because a parse costs up to 32 bytes a character.
 */
export const MAX_ANSWER_BYTES = 16 * 1024 * 1024;
/** What `onHead` sees: a list's metadata, with its continue token, comes before its items. */
export const HEAD_LENGTH = 4096;
const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The body, decompressed and decoded. */
  text: string;
}

interface Credentials {
  headers: Record<string, string>;
  basicAuth: string | undefined;
}

/**
 * A minimal JSON client for one context. client-node supplies the kubeconfig semantics (certificates,
 * tokens, exec and auth-provider plugins, proxies); the requests are plain HTTPS so that objects arrive as
 * the server sent them (client-node's typed models drop fields they do not know) and connections are
 * kept alive across pages.
 */
export async function createApiClient(config: KubeConfig, options: ApiClientOptions): Promise<ApiClient> {
  const cluster = config.getCurrentCluster();
  if (!cluster) throw new ApiError('config', 'the context has no cluster');
  const server = trimEnd(cluster.server, '/');
  // What messages and reports show: the server without user information or query, which may hold credentials.
  const shown = displayServer(server);
  // A connection failure may be the proxy's (from proxy-url or the environment): say which way it went.
  const reached = cluster.proxyUrl ? `${shown} through the proxy ${displayServer(cluster.proxyUrl)}` : shown;
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new ApiError('config', `invalid server URL "${shown}"`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && cluster.skipTLSVerify)) {
    throw new ApiError('config', `server ${shown} is not https (plain http is accepted only with insecure-skip-tls-verify, e.g. for kubectl proxy)`);
  }
  const commands = credentialCommands(config);
  if (options.execCredentials === false && commands.length > 0) {
    throw new ApiError('config', `its user gets credentials by running ${commands.join(' and ')}: not run (--no-exec-credentials)`);
  }
  const provider = (config.getCurrentUser()?.authProvider as { name?: unknown } | undefined)?.name;
  const removed = typeof provider === 'string' ? REMOVED_AUTH_PROVIDERS.get(provider) : undefined;
  if (removed !== undefined) throw new ApiError('config', removed);

  const maxAnswerBytes = options.maxAnswerBytes ?? MAX_ANSWER_BYTES;
  // One listener on the signal for all requests and waits in flight, however many there are.
  const aborters = new Set<() => void>();
  const commandsStop = new AbortController();
  const abortAll = (): void => {
    commandsStop.abort();
    for (const abort of [...aborters]) abort();
  };
  options.signal?.addEventListener('abort', abortAll, { once: true });
  // A closed client stops what it has in flight as an abort does, and never connects again: destroying the
  // agent's sockets alone fails a request as a dropped connection, which is retried on a new one.
  let closed = false;
  const stopped = (): boolean => closed || options.signal?.aborted === true;
  if (commands.length > 0) stopCommandsWith(config, commandsStop.signal);
  const tls = await applyKubeconfig(config, shown, commands);
  let credentials: Credentials = tls.credentials;
  const agent: http.Agent =
    tls.proxyAgent ??
    (url.protocol === 'http:'
      ? new http.Agent({ keepAlive: true, maxSockets: options.maxSockets })
      : new https.Agent({ ...sharedSecureContext(tls.agentOptions), keepAlive: true, maxSockets: options.maxSockets }));

  // The server's address taken apart once: given `${server}${path}`, http.request would parse a URL for
  // every request, a noticeable share of a fleet scan's thousands of requests.
  const target = requestTarget(url);
  const send = (method: string, path: string, body: Buffer | null, accept: string, onHead?: (head: string) => void): Promise<RawResponse> =>
    new Promise((resolve, reject) => {
      // Not even a socket for a stopped client: the agent would open one and, the request being gone, keep it.
      if (stopped()) {
        reject(new ApiError('aborted', 'aborted'));
        return;
      }
      const request = (url.protocol === 'http:' ? http : https).request({
        ...target,
        path: `${target.path}${encodeUnsafe(path)}`,
        method,
        agent,
        headers: {
          ...credentials.headers,
          Accept: accept,
          'Accept-Encoding': 'gzip',
          'User-Agent': options.userAgent,
          ...(body ? { 'Content-Type': 'application/json', 'Content-Length': String(body.length) } : {}),
        },
        ...(credentials.basicAuth ? { auth: credentials.basicAuth } : {}),
      });
      // Why a request ended early (timeout, abort, oversize) wins over the socket error it causes.
      let cause: ApiError | null = null;
      let settled = false;
      const stop = (error: ApiError): void => {
        cause ??= error;
        request.destroy(error);
      };
      const onAbort = (): void => stop(new ApiError('aborted', 'aborted'));
      const timer = setTimeout(() => stop(new ApiError('timeout', `no complete answer within ${options.timeoutMs / 1000} s`, null, true)), options.timeoutMs);
      aborters.add(onAbort);
      const settle = (outcome: { response: RawResponse } | { error: Error }): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        aborters.delete(onAbort);
        if ('response' in outcome) resolve(outcome.response);
        else reject(cause ?? outcome.error);
      };
      request.on('error', (error) => settle({ error }));
      request.on('response', (response) => {
        // Decompressed and decoded as it arrives: a page of a large list is megabytes, and whole-body
        // buffers of that size, one after the other, leave the process holding memory it no longer uses
        // (decoding in pieces is also faster than decoding megabytes at once). A few kilobytes of gzip can
        // hold gigabytes: decompression stops at the limit.
        const decoder = new StringDecoder('utf8');
        const gunzip = response.headers['content-encoding'] === 'gzip' ? createGunzip({ chunkSize: 64 * 1024 }) : null;
        let text = '';
        let size = 0;
        const overflow = (): void => {
          // The whole body may have arrived already: stop decompressing too, and answer now.
          const error = tooLarge(method, path, maxAnswerBytes);
          gunzip?.destroy();
          stop(error);
          settle({ error });
        };
        let head = (response.statusCode ?? 0) >= 200 && (response.statusCode ?? 0) < 300 ? (onHead ?? null) : null;
        const take = (chunk: Buffer): void => {
          if (settled) return;
          size += chunk.length;
          if (size > maxAnswerBytes) return overflow();
          text += decoder.write(chunk);
          if (head && text.length >= HEAD_LENGTH) {
            showHead(text.slice(0, HEAD_LENGTH));
            head = null;
          }
        };
        // Asking ahead is an optimisation: whatever goes wrong there must not escape this event handler.
        const showHead = (start: string): void => {
          try {
            head?.(start);
          } catch {
            // the page is asked for again when it is needed
          }
        };
        const finish = (): void => {
          text += decoder.end();
          showHead(text);
          settle({ response: { status: response.statusCode ?? 0, headers: response.headers, text } });
        };
        if (gunzip) {
          gunzip.on('data', take);
          gunzip.on('error', () => settle({ error: new ApiError('malformed', 'the answer is not valid gzip', null, true) }));
          gunzip.on('end', finish);
        }
        let received = 0;
        response.on('data', (chunk: Buffer) => {
          if (!gunzip) return take(chunk);
          // Deflate can also spend any number of bytes on nothing: what arrives is bounded too.
          received += chunk.length;
          if (received > maxAnswerBytes) return overflow();
          // Compressed data expands up to a thousandfold: no more is fed in until what came out was read,
          // so decompressed text waiting to be checked stays a few chunks however busy the process is.
          if (!gunzip.write(chunk)) {
            response.pause();
            gunzip.once('drain', () => response.resume());
          }
        });
        response.on('error', (error) => settle({ error }));
        response.on('close', () => {
          // After a complete answer, 'close' only means the socket went back to the pool.
          if (response.complete) return;
          gunzip?.destroy();
          settle({ error: new ApiError('malformed', 'the connection closed in the middle of the answer', null, true) });
        });
        response.on('end', () => {
          if (!response.complete) return; // 'close' reports it
          if (gunzip) gunzip.end();
          else finish();
        });
      });
      request.end(body ?? undefined);
    });

  const call = async (method: string, path: string, body: unknown, { onHead, accept = 'application/json' }: GetOptions = {}): Promise<unknown> => {
    const payload = body === undefined ? null : Buffer.from(JSON.stringify(body));
    let refreshed = false;
    for (let attempt = 0; ; attempt++) {
      let failure: ApiError;
      let retryAfterMs: number | null = null;
      try {
        const response = await send(method, path, payload, accept, onHead);
        if (response.status === 401 && !refreshed) {
          // Tokens from exec plugins and projected service-account files rotate: fetch them again once.
          refreshed = true;
          credentials = (await applyKubeconfig(config, shown, commands)).credentials;
          attempt--;
          continue;
        }
        if (response.status >= 200 && response.status < 300) {
          let room = options.memory?.check(response.text.length) ?? 'ok';
          // Full while other contexts are read: one of them finishing frees room for this answer.
          while (room === 'full' && (await options.memory!.waitForRoom(options.signal))) room = options.memory!.check(response.text.length);
          if (room !== 'ok') throw memoryExceeded(options.memory!, room, method, path, response.text.length);
          return parseJson(response.text);
        }
        failure = statusError(response, method, path, shown, credentialsSent(config, credentials, tls.agentOptions));
        retryAfterMs = retryAfter(response.headers['retry-after']);
      } catch (error) {
        failure = toApiError(error, reached);
      }
      if (!failure.retryable || attempt >= options.retries || stopped()) {
        if (attempt > 0) failure.message += ` (after ${attempt + 1} attempts)`;
        throw failure;
      }
      await sleep(Math.min(retryAfterMs ?? backoff(options.backoffMs, attempt), options.maxBackoffMs ?? MAX_BACKOFF_MS), options.signal, aborters);
    }
  };

  return {
    server: shown,
    get: (path, query, options) => call('GET', query ? `${path}?${new URLSearchParams(query).toString()}` : path, undefined, options),
    post: (path, body) => call('POST', path, body),
    close: () => {
      closed = true;
      abortAll();
      agent.destroy();
    },
  };
}

async function applyKubeconfig(
  config: KubeConfig,
  server: string,
  commands: readonly string[],
): Promise<{ credentials: Credentials; agentOptions: https.AgentOptions; proxyAgent: http.Agent | null }> {
  const options: https.RequestOptions = {};
  try {
    await config.applyToHTTPSOptions(options);
  } catch (error) {
    throw new ApiError('config', `cannot use the credentials for ${server}: ${credentialFailure(error, commands)}`);
  }
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(options.headers ?? {})) {
    if (typeof value === 'string' || typeof value === 'number') headers[key] = String(value).trim();
  }
  const agentOptions: https.AgentOptions = {};
  for (const key of ['ca', 'cert', 'key', 'pfx', 'passphrase', 'rejectUnauthorized', 'servername'] as const) {
    if (options[key] !== undefined) (agentOptions as Record<string, unknown>)[key] = options[key];
  }
  const proxied = config.getCurrentCluster()?.proxyUrl ? (options.agent as http.Agent) : null;
  if (!proxied && options.agent instanceof http.Agent) options.agent.destroy();
  return { credentials: { headers, basicAuth: typeof options.auth === 'string' ? options.auth : undefined }, agentOptions, proxyAgent: proxied };
}

/**
 * What the requests carry: credentials; none because the context's user has none (read anonymously); or
 * none although it has some (an auth provider that gave no token, such as an expired OIDC id-token
 * without a refresh token).
 */
function credentialsSent(config: KubeConfig, credentials: Credentials, agentOptions: https.AgentOptions): 'sent' | 'anonymous' | 'none-produced' {
  const sent =
    Object.keys(credentials.headers).some((name) => name.toLowerCase() === 'authorization') || credentials.basicAuth !== undefined || agentOptions.cert !== undefined || agentOptions.pfx !== undefined;
  if (sent) return 'sent';
  const user = config.getCurrentUser();
  const configured = user !== null && [user.token, user.certData, user.certFile, user.username, user.exec, user.authProvider].some((value) => value !== undefined && value !== null && value !== '');
  return configured ? 'none-produced' : 'anonymous';
}

/**
 * The CA and client certificate parsed once for all of a client's connections: left to the agent, every
 * new connection parses them again (a tenth of a fleet scan's time went there). A certificate that does
 * not parse is left to the connection, whose error says what is wrong.
 */
function sharedSecureContext(agentOptions: https.AgentOptions): https.AgentOptions {
  const { ca, cert, key, pfx, passphrase, ...rest } = agentOptions;
  try {
    return { ...rest, secureContext: tls.createSecureContext({ ca, cert, key, pfx, passphrase }) };
  } catch {
    return agentOptions;
  }
}

function tooLarge(method: string, path: string, limit: number): ApiError {
  return new ApiError('too-large', `the answer to ${method} ${path.split('?')[0]} is larger than ${limit / 1024 / 1024} MB once decompressed, more than a Kubernetes API server sends`);
}

/** An answer the memory budget has no room for: too large to parse (a smaller page may do), or one too many. */
function memoryExceeded(memory: MemoryBudget, room: 'page' | 'full', method: string, path: string, characters: number): ApiError {
  const answer = `${(characters / 1024 / 1024).toFixed(1)} MB`;
  if (room === 'page') {
    return new ApiError('too-large', `the answer to ${method} ${path.split('?')[0]} (${answer}) is too large to parse within the ${memory.limitMb} MB of memory kfscan allows its answers`);
  }
  return new ApiError('memory', `stopped reading: what was read and the next answer (${answer}) would take more than ${memory.limitMb} MB of memory, kfscan's limit for what it reads; the server may be sending endless or oversized lists`);
}

/**
 * Why the kubeconfig's credentials could not be used, never quoting what a credential command printed:
 * its answer (a token that failed to parse) or its error output may hold the credentials themselves.
 */
function credentialFailure(error: unknown, commands: readonly string[]): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') {
    const file = (error as NodeJS.ErrnoException).path;
    return commands.length > 0 && file !== undefined && commands.some((command) => command.includes(file)) ? `command not found: ${file}` : `file not found: ${file ?? 'unknown'}`;
  }
  if (commands.length === 0) return oneLine(error);
  if (error instanceof SyntaxError) return `${commands.join(' and ')} answered something that is not an ExecCredential (its output is not shown: it may hold credentials)`;
  return `${commands.join(' and ')} failed (its output is not shown: it may hold credentials)`;
}

/**
 * Makes the exec credential plugins this client runs stop with it (abort, deadline, close): a plugin that
 * never answers, such as a login waiting for a browser, would otherwise keep kfscan running after its
 * report. Killed as Go kills a command whose context ends (SIGKILL: a plugin cannot ignore it). They get no
 * standard input, as kubectl gives none to a plugin with `interactiveMode: Never`; client-node would give
 * them a pipe nobody writes to, on which a prompt waits forever.
 */
function stopCommandsWith(config: KubeConfig, signal: AbortSignal): void {
  // client-node's ExecAuth runs its commands through a replaceable `execFn` (child_process.spawn).
  const authenticators = (config as unknown as { authenticators?: unknown }).authenticators;
  if (!Array.isArray(authenticators)) return;
  for (const authenticator of authenticators as Array<{ execFn?: unknown }>) {
    if (typeof authenticator.execFn !== 'function') continue;
    authenticator.execFn = (command: string, args: readonly string[] | undefined, options: SpawnOptions = {}) =>
      spawn(command, args ?? [], {
        ...options,
        env: { ...(options.env ?? process.env), KUBERNETES_EXEC_INFO: execInfo(config) },
        stdio: ['ignore', 'pipe', 'pipe'],
        signal,
        killSignal: 'SIGKILL',
      });
  }
}

/**
 * What kubectl tells a credential plugin in `KUBERNETES_EXEC_INFO` and client-node does not: that nobody
 * can answer a prompt (`interactive: false`), so a plugin that needs a login fails at once instead of
 * waiting out the deadline; and, with `provideClusterInfo`, the cluster it is for.
 */
function execInfo(config: KubeConfig): string {
  const exec = config.getCurrentUser()?.exec as { apiVersion?: unknown; provideClusterInfo?: unknown } | undefined;
  const cluster = config.getCurrentCluster();
  const spec: Record<string, unknown> = { interactive: false };
  if (exec?.provideClusterInfo === true && cluster) {
    const caData = cluster.caData ?? (cluster.caFile ? readBase64(cluster.caFile) : undefined);
    spec['cluster'] = {
      server: cluster.server,
      ...(cluster.tlsServerName ? { 'tls-server-name': cluster.tlsServerName } : {}),
      ...(cluster.skipTLSVerify ? { 'insecure-skip-tls-verify': true } : {}),
      ...(caData ? { 'certificate-authority-data': caData } : {}),
      ...(cluster.proxyUrl ? { 'proxy-url': cluster.proxyUrl } : {}),
    };
  }
  return JSON.stringify({ kind: 'ExecCredential', apiVersion: typeof exec?.apiVersion === 'string' ? exec.apiVersion : 'client.authentication.k8s.io/v1', spec });
}

function readBase64(file: string): string | undefined {
  try {
    return readFileSync(file).toString('base64');
  } catch {
    // The connection reports an unreadable CA file itself.
    return undefined;
  }
}

/**
 * Auth providers kubectl removed in 1.26, with its advice. client-node still has them, but runs their
 * `cmd-path` through a shell and synchronously: a command that waits (a login) would stop every context
 * and every deadline of the run with it.
 */
const REMOVED_AUTH_PROVIDERS: ReadonlyMap<string, string> = new Map([
  ['gcp', 'its user uses the gcp auth provider, which kubectl removed in 1.26: use the gke-gcloud-auth-plugin credential plugin instead (gcloud container clusters get-credentials writes it)'],
  ['azure', 'its user uses the azure auth provider, which kubectl removed in 1.26: use the kubelogin credential plugin instead (kubelogin convert-kubeconfig writes it)'],
]);

/** The commands the context's user runs to get credentials: an exec plugin, an auth provider's `cmd-path`. */
export function credentialCommands(config: KubeConfig): string[] {
  const user = config.getCurrentUser();
  if (!user) return [];
  const commands: string[] = [];
  const exec = user.exec as { command?: unknown } | undefined;
  if (typeof exec?.command === 'string' && exec.command !== '') commands.push(`the exec credential plugin ${exec.command}`);
  const provider = user.authProvider as { name?: string; config?: Record<string, unknown> } | undefined;
  const cmdPath = provider?.config?.['cmd-path'];
  if (typeof cmdPath === 'string' && cmdPath !== '') commands.push(`the ${provider?.name ?? 'auth'} auth provider's command ${cmdPath}`);
  const nested = (provider?.config?.['exec'] as { command?: unknown } | undefined)?.command;
  if (typeof nested === 'string' && nested !== '') commands.push(`the exec credential plugin ${nested}`);
  return commands;
}

/** A server URL as messages show it: no user information, no query, no fragment. */
export function displayServer(server: string): string {
  try {
    const url = new URL(server);
    url.username = '';
    url.password = '';
    url.search = '';
    url.hash = '';
    return url.toString().replace(/\/$/, '');
  } catch {
    const cut = server.search(/[?#]/);
    return (cut === -1 ? server : server.slice(0, cut)).replace(/\/\/[^/@]*@/, '//');
  }
}

/** What http.request takes from a server URL (as its own urlToHttpOptions does), its path the prefix for every request. */
function requestTarget(url: URL): { protocol: string; hostname: string; port?: string; path: string; auth?: string } {
  return {
    protocol: url.protocol,
    // An IPv6 address without its brackets.
    hostname: url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname,
    ...(url.port ? { port: url.port } : {}),
    path: url.pathname.replace(/\/+$/, ''),
    ...(url.username || url.password ? { auth: `${decodeUserInfo(url.username)}:${decodeUserInfo(url.password)}` } : {}),
  };
}

/** A URL keeps a `%` that starts no escape as it is; decodeURIComponent would throw on it. */
function decodeUserInfo(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

// What a URL would carry percent-encoded in a path: spaces, controls and anything beyond ASCII, which
// http.request refuses outright, and the characters URLs never hold raw. Names in a path come from the
// server's own discovery documents: an odd one must make that one request fail at the server, not throw
// here as if the connection had (which would end the whole context).
const UNSAFE_IN_PATH = /[^\x21-\x7e]|["<>`{}]/gu;

function encodeUnsafe(path: string): string {
  return path.replace(UNSAFE_IN_PATH, (character) => Buffer.from(character).toString('hex').toUpperCase().replace(/../g, '%$&'));
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // A proxy cutting an answer short looks like this; another attempt usually gets all of it.
    throw new ApiError('malformed', 'the answer is not valid JSON', null, true);
  }
}

const UNAUTHORIZED_BECAUSE: Record<ReturnType<typeof credentialsSent>, string> = {
  sent: 'the token or client certificate was rejected; it may have expired',
  anonymous: 'the context has no credentials (no user, token or client certificate), and the server does not allow anonymous reads',
  'none-produced': "the context's user gave no token or certificate to send (an expired id-token that cannot be refreshed?)",
};

function statusError(response: RawResponse, method: string, path: string, server: string, credentials: ReturnType<typeof credentialsSent>): ApiError {
  let message = '';
  try {
    const status = JSON.parse(response.text) as { message?: unknown };
    if (typeof status.message === 'string') message = status.message;
  } catch {
    // Proxies and load balancers answer with HTML; the status code says enough.
  }
  const code = response.status;
  const detail = message ? `: ${oneLine(message)}` : '';
  switch (code) {
    case 401:
      return new ApiError(
        'unauthorized',
        `authentication failed (401 Unauthorized) at ${server}: ${UNAUTHORIZED_BECAUSE[credentials]}`,
        code,
      );
    case 403:
      return new ApiError('forbidden', `forbidden${detail}`, code);
    case 404:
      return new ApiError('not-found', `not found (${method} ${path.split('?')[0]})`, code);
    case 410:
      return new ApiError('gone', `gone (410)${detail}`, code);
    case 429:
      return new ApiError('too-many-requests', `throttled by the server (429)${detail}`, code, true);
    default:
      return new ApiError(code >= 500 ? 'server' : 'http', `HTTP ${code} for ${method} ${path.split('?')[0]}${detail}`, code, RETRYABLE_STATUS.has(code));
  }
}

const TLS_CODES: Readonly<Record<string, string>> = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "the server's certificate is not signed by the kubeconfig's certificate authority",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "the server's certificate is not signed by the kubeconfig's certificate authority",
  SELF_SIGNED_CERT_IN_CHAIN: "the server's certificate chain ends in a certificate authority the kubeconfig does not trust",
  DEPTH_ZERO_SELF_SIGNED_CERT: "the server's certificate is self-signed and not the kubeconfig's certificate authority",
  CERT_HAS_EXPIRED: "the server's certificate has expired",
  CERT_NOT_YET_VALID: "the server's certificate is not valid yet",
  ERR_TLS_CERT_ALTNAME_INVALID: "the server's certificate does not name this host",
};
const UNREACHABLE_CODES: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection closed',
  ETIMEDOUT: 'connection timed out',
};
const TRANSIENT_CODES = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN']);

function toApiError(error: unknown, server: string): ApiError {
  if (error instanceof ApiError) return error;
  const code = (error as NodeJS.ErrnoException)?.code ?? '';
  if (TLS_CODES[code]) return new ApiError('tls', `TLS verification failed for ${server}: ${TLS_CODES[code]} (${code})`);
  if (/^ERR_(TLS|SSL)_|CERT|EPROTO/.test(code)) return new ApiError('tls', `TLS handshake with ${server} failed (${code}: ${oneLine(error)})`);
  if (UNREACHABLE_CODES[code]) return new ApiError('unreachable', `cannot reach ${server} (${UNREACHABLE_CODES[code]})`, null, TRANSIENT_CODES.has(code));
  if ((error as Error)?.message === 'socket hang up') return new ApiError('unreachable', `${server} closed the connection`, null, true);
  // hpagent's words for a proxy that refused the tunnel.
  const refused = /^Bad response: (\d{3})$/.exec((error as Error)?.message ?? '');
  if (refused) return new ApiError('unreachable', `cannot reach ${server}: the proxy answered ${refused[1]}${refused[1] === '407' ? ' (Proxy Authentication Required: it wants a user and password in the proxy URL, or refused the ones given)' : ''}`);
  return new ApiError('unreachable', `cannot talk to ${server}: ${oneLine(error)}`);
}

function retryAfter(header: string | string[] | undefined): number | null {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return null;
  const seconds = Number(value);
  return Number.isFinite(seconds) && seconds >= 0 ? Math.min(seconds * 1000, MAX_BACKOFF_MS) : null;
}

function backoff(base: number, attempt: number): number {
  const exponential = Math.min(base * 2 ** attempt, MAX_BACKOFF_MS);
  return exponential * (0.8 + Math.random() * 0.4);
}

function sleep(ms: number, signal: AbortSignal | undefined, aborters: Set<() => void>): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new ApiError('aborted', 'aborted'));
      return;
    }
    const timer = setTimeout(() => {
      aborters.delete(onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      aborters.delete(onAbort);
      reject(new ApiError('aborted', 'aborted'));
    };
    aborters.add(onAbort);
  });
}

function oneLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return (text.split('\n')[0] ?? '').slice(0, 300);
}
