// The requests sent to one entry point, within fixed limits, and what they add up to.
import type { Evidence, ObjectRef, ProbeOutcome, ProbeRequest, TlsFacts } from '../core/types.js';
import { resolveChecked, type AddressPolicy, type Resolution } from './address-policy.js';
import { getOnce, urlOf, type Origin, type Reply } from './http.js';
import { PROBE_PATHS, recognise, type Recognition } from './recognise.js';
import { excerptOf, redactUrl } from './redact.js';
import type { Targets } from './targets.js';

/** Requests one entry point gets at most, redirects included. */
export const REQUESTS_PER_ENTRY = 10;
/** Redirects followed per path: one, and only to the same scheme, host and port. */
export const REDIRECTS_FOLLOWED = 1;

export interface EntryProbeOptions {
  /** Per request. */
  timeoutMs: number;
  /** When the whole probe must stop (epoch ms). */
  deadline: number;
  userAgent: string;
  now: () => Date;
  /** Which addresses may be connected to (loopback and link-local only with --probe-allow-local). */
  policy: AddressPolicy;
  /** Name resolution, for tests; the system's by default. */
  resolve?: (name: string) => Promise<string[]>;
}

interface Seen {
  request: ProbeRequest;
  recognition: Recognition;
}

export async function probeEntry(entry: ObjectRef, label: string, targets: Targets, options: EntryProbeOptions): Promise<Evidence> {
  const evidence = (outcome: ProbeOutcome, summary: string, requests: ProbeRequest[] = []): Evidence => ({ source: 'probe', entry: { ...entry }, outcome, summary, requests });
  if (targets.noAddress !== null) return evidence('no-address', `not probed: ${label} ${targets.noAddress}`);

  const requests: ProbeRequest[] = [];
  const seen: Seen[] = [];
  const unreachable: string[] = [];
  const notConnected: string[] = [];
  let stopped: 'budget' | 'time' | null = null;
  // Each address is resolved and checked once; every request to it goes to the address checked.
  const resolutions = new Map<string, Promise<Resolution>>();
  const checked = (address: string): Promise<Resolution> => {
    let resolution = resolutions.get(address);
    if (!resolution) {
      resolution = resolveChecked(address, options.policy, options.resolve);
      resolutions.set(address, resolution);
    }
    return resolution;
  };

  const ask = async (origin: Origin, path: string): Promise<Reply | { stop: 'budget' | 'time' }> => {
    if (requests.length >= REQUESTS_PER_ENTRY) return { stop: 'budget' };
    const remaining = options.deadline - options.now().getTime();
    if (remaining <= 0) return { stop: 'time' };
    return getOnce(origin, path, {
      timeoutMs: Math.min(options.timeoutMs, remaining),
      userAgent: options.userAgent,
      accept: path === '/' ? 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.8' : 'application/json, text/plain, */*',
      now: options.now,
    });
  };

  origins: for (const given of targets.origins) {
    const resolution = await checked(given.address);
    if (resolution.refused !== null) {
      const url = redactUrl(urlOf(given, '/'));
      requests.push({ method: 'GET', url, address: given.address, status: null, redirect: null, contentType: null, excerpt: null, tls: null, error: `not connected: ${resolution.refused}` });
      notConnected.push(`${url}: ${resolution.refused}`);
      continue;
    }
    const origin: Origin = { ...given, address: resolution.address };
    for (const start of PROBE_PATHS) {
      let current = { origin, path: start as string };
      for (let hop = 0; hop <= REDIRECTS_FOLLOWED; hop++) {
        const reply = await ask(current.origin, current.path);
        if ('stop' in reply) {
          stopped = reply.stop;
          break origins;
        }
        const url = urlOf(current.origin, current.path);
        const location = reply.location !== null ? resolve(reply.location, url) : null;
        const request: ProbeRequest = {
          method: 'GET',
          url: redactUrl(url),
          address: given.address,
          status: reply.status,
          redirect: reply.location === null ? null : location ? redactUrl(location.href) : redactUrl(reply.location),
          contentType: reply.contentType,
          excerpt: null,
          tls: reply.tls,
          error: reply.error,
        };
        requests.push(request);
        if (reply.error !== null || reply.status === null) {
          // An address that does not answer will not answer the next path either.
          unreachable.push(`${request.url}: ${reply.error ?? 'no answer'}`);
          if (hop === 0) continue origins;
          break;
        }
        const recognition = recognise({ path: current.path, status: reply.status, location, contentType: reply.contentType, wwwAuthenticate: reply.wwwAuthenticate, body: reply.body });
        request.excerpt = excerptOf(reply.body, reply.contentType);
        seen.push({ request, recognition });
        if (recognition.kind !== 'other' || location === null || reply.status < 300 || reply.status >= 400) break;
        const next = sameHostTarget(location, current.origin);
        // A redirect elsewhere is recorded, never followed: the probe talks to the cluster's own addresses.
        if (!next) break;
        current = next;
      }
    }
    if (seen.some((s) => s.recognition.kind === 'kubeflow')) break;
  }

  const limit = stopped === 'budget' ? ` (stopped at ${REQUESTS_PER_ENTRY} requests)` : stopped === 'time' ? " (the probe's time ran out)" : '';
  const isKubeflow = (s: Seen, source?: 'api'): boolean => s.recognition.kind === 'kubeflow' && (source === undefined || s.recognition.source === source);
  const open = seen.find((s) => isKubeflow(s, 'api')) ?? seen.find((s) => isKubeflow(s));
  if (open && open.recognition.kind === 'kubeflow') {
    return evidence('unauthenticated', `confirmed unauthenticated: GET ${open.request.url} answered HTTP ${open.request.status} with ${open.recognition.what}, no login asked${tlsText(open.request)}`, requests);
  }
  const login = seen.find((s) => s.recognition.kind === 'login');
  if (login && login.recognition.kind === 'login') {
    return evidence('login-required', `login required: GET ${login.request.url} ${loginText(login, login.recognition.via)}; no Kubeflow page or API was served${tlsText(login.request)}${limit}`, requests);
  }
  const refused = seen.find((s) => s.recognition.kind === 'kubeflow-refused');
  if (refused && refused.recognition.kind === 'kubeflow-refused') {
    return evidence(
      'answered',
      `GET ${refused.request.url} reached ${refused.recognition.what} with no login on the way, which refused it (HTTP ${refused.request.status}); no Kubeflow page or API was served${tlsText(refused.request)}${limit}`,
      requests,
    );
  }
  const answered = seen[0];
  if (answered) {
    const redirect = answered.request.redirect ? ` redirecting to ${withoutQuery(answered.request.redirect)}` : '';
    return evidence(
      'answered',
      `GET ${answered.request.url} answered HTTP ${answered.request.status}${redirect}${answered.request.contentType ? ` (${answered.request.contentType})` : ''}; nothing answered as a Kubeflow page or a login${tlsText(answered.request)}${limit}`,
      requests,
    );
  }
  if (notConnected.length > 0 && unreachable.length === 0) {
    return evidence('not-probed', `not probed: refused to connect (${notConnected.join('; ')})`, requests);
  }
  if (unreachable.length > 0) {
    return evidence('unreachable', `not reachable from here (${unreachable.join('; ')})${limit}; firewalls outside the cluster are invisible to kfscan, so the finding stands`, requests);
  }
  return evidence('not-probed', `not probed: ${stopped === 'time' ? "the probe's time ran out" : 'no request could be sent'}`, requests);
}

function loginText(seen: Seen, via: string): string {
  const { request } = seen;
  if (request.status !== null && request.status >= 300 && request.status < 400) return `was redirected (HTTP ${request.status}) to ${via} at ${withoutQuery(request.redirect)}`;
  if (request.status === 401 || request.status === 407) return `answered HTTP ${request.status}, asking for ${via}`;
  return `answered with the login page of ${via}`;
}

/** A redirect target without its query, for the one-line summary (the evidence keeps it, redacted). */
function withoutQuery(url: string | null): string {
  if (url === null) return '(no location)';
  const cut = url.search(/[?#]/);
  return cut === -1 ? url : url.slice(0, cut);
}

function tlsText(request: ProbeRequest): string {
  const tls: TlsFacts | null = request.tls;
  if (!tls) return '';
  const host = new URL(request.url).hostname.replace(/^\[|\]$/g, '');
  const problems = [
    tls.selfSigned ? 'self-signed' : '',
    tls.expired ? 'expired' : '',
    !tls.trusted && !tls.selfSigned && !tls.expired ? `not trusted (${tls.error ?? 'unknown issuer'})` : '',
    tls.validForHost ? '' : `not valid for ${host}`,
  ].filter(Boolean);
  return problems.length === 0 ? `; its TLS certificate is trusted and valid for ${host}` : `; its TLS certificate is ${problems.join(', ')}`;
}

function resolve(location: string, base: string): URL | null {
  try {
    return new URL(location, base);
  } catch {
    return null;
  }
}

/**
 * The request a redirect asks for, when it stays on the origin asked: the same scheme, host and port, so
 * a redirect can never point the probe at another port of the machine (a local admin interface) or
 * another host. The connection goes to the address already checked.
 */
function sameHostTarget(location: URL, origin: Origin): { origin: Origin; path: string } | null {
  const scheme = location.protocol === 'https:' ? 'https' : location.protocol === 'http:' ? 'http' : null;
  if (scheme !== origin.scheme) return null;
  const host = location.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host !== origin.host.toLowerCase()) return null;
  const port = location.port === '' ? (scheme === 'https' ? 443 : 80) : Number(location.port);
  if (port !== origin.port) return null;
  return { origin, path: `${location.pathname}${location.search}` };
}
