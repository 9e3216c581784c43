import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { checkServerIdentity, type PeerCertificate, type TLSSocket } from 'node:tls';
import type { TlsFacts } from '../core/types.js';
import { formatSeconds } from '../core/dates.js';

/** Where one request goes: an address from the cluster's objects, a port, and the name to ask for. */
export interface Origin {
  scheme: 'http' | 'https';
  /** IP address or hostname from the cluster's objects; the only thing ever connected to or resolved. */
  address: string;
  port: number;
  /** The Host header and TLS server name: a hostname the cluster's routing objects name, or the address. */
  host: string;
}

export interface Reply {
  status: number | null;
  location: string | null;
  contentType: string | null;
  wwwAuthenticate: string | null;
  /** The first BODY_BYTES of the body, as text. */
  body: string;
  tls: TlsFacts | null;
  /** Why there was no answer; null when there was one. */
  error: string | null;
}

/** Enough of a body to recognise a page or an API answer; the rest is not read. */
export const BODY_BYTES = 64 * 1024;

export interface GetOptions {
  timeoutMs: number;
  userAgent: string;
  accept: string;
  now: () => Date;
}

/**
 * One plain GET: no body, no cookies, no Authorization, no client certificate, no proxy, no connection
 * reuse, redirects not followed (the caller decides). The certificate is not verified before the answer
 * is read, so that an untrusted one is recorded as a fact instead of hiding what the server serves.
 */
export function getOnce(origin: Origin, path: string, options: GetOptions): Promise<Reply> {
  return new Promise((resolve) => {
    let settled = false;
    let tls: TlsFacts | null = null;
    const finish = (reply: Omit<Reply, 'tls'>): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...reply, tls });
    };
    const failure = (error: string): void => finish({ status: null, location: null, contentType: null, wwwAuthenticate: null, body: '', error });

    const common = {
      host: origin.address,
      port: origin.port,
      method: 'GET',
      path,
      // Only these headers are ever sent.
      headers: {
        host: hostHeader(origin),
        'user-agent': options.userAgent,
        accept: options.accept,
        'accept-encoding': 'identity',
        connection: 'close',
      },
      agent: false as const,
    };
    const request =
      origin.scheme === 'https'
        ? https.request({
            ...common,
            rejectUnauthorized: false,
            // Judged below, as a fact, rather than failing the connection.
            checkServerIdentity: () => undefined,
            ...(isIP(origin.host) ? {} : { servername: origin.host }),
          })
        : http.request(common);

    // Before the answer starts, a timeout is a failure; during the body, what arrived is kept.
    let onTimeout = (): void => failure(`timed out after ${formatSeconds(options.timeoutMs)}`);
    const timer = setTimeout(() => {
      onTimeout();
      request.destroy();
    }, options.timeoutMs);

    request.on('socket', (socket) => {
      if (origin.scheme !== 'https') return;
      socket.once('secureConnect', () => {
        tls = tlsFacts(socket as TLSSocket, origin.host, options.now());
      });
    });
    request.on('error', (error: NodeJS.ErrnoException) => failure(connectionError(error)));
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const done = (): void => {
        const header = (name: string): string | null => {
          const value = response.headers[name];
          return typeof value === 'string' ? value : Array.isArray(value) ? (value[0] ?? null) : null;
        };
        finish({
          status: response.statusCode ?? null,
          location: header('location'),
          contentType: header('content-type'),
          wwwAuthenticate: header('www-authenticate'),
          body: Buffer.concat(chunks).subarray(0, BODY_BYTES).toString('utf8'),
          error: null,
        });
        response.destroy();
      };
      onTimeout = done;
      response.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        size += chunk.length;
        if (size >= BODY_BYTES) done();
      });
      response.on('end', done);
      response.on('error', done);
      response.on('close', done);
    });
    request.end();
  });
}

/** `203.0.113.10`, `[2001:db8::1]:8443`, `kubeflow.example.com`: the Host header for an origin. */
export function hostHeader(origin: Origin): string {
  const name = isIP(origin.host) === 6 ? `[${origin.host}]` : origin.host;
  const defaultPort = origin.scheme === 'https' ? 443 : 80;
  return origin.port === defaultPort ? name : `${name}:${origin.port}`;
}

/** The URL a request to this origin asks for, as it is reported. */
export function urlOf(origin: Origin, path: string): string {
  return `${origin.scheme}://${hostHeader(origin)}${path}`;
}

function tlsFacts(socket: TLSSocket, host: string, now: Date): TlsFacts {
  const certificate = socket.getPeerCertificate(true) as PeerCertificate & { issuerCertificate?: PeerCertificate };
  const present = certificate && Object.keys(certificate).length > 0;
  const error = socket.authorized ? null : socketError(socket);
  const validTo = present && certificate.valid_to ? new Date(certificate.valid_to) : null;
  const selfIssued = present && certificate.issuerCertificate !== undefined && certificate.issuerCertificate.fingerprint256 === certificate.fingerprint256;
  return {
    trusted: socket.authorized,
    error,
    validForHost: present ? checkServerIdentity(host, certificate) === undefined : false,
    selfSigned: error === 'DEPTH_ZERO_SELF_SIGNED_CERT' || error === 'SELF_SIGNED_CERT_IN_CHAIN' || selfIssued,
    expired: error === 'CERT_HAS_EXPIRED' || (validTo !== null && !Number.isNaN(validTo.getTime()) && validTo < now),
    subject: present ? distinguishedName(certificate.subject) : null,
    issuer: present ? distinguishedName(certificate.issuer) : null,
    validTo: validTo && !Number.isNaN(validTo.getTime()) ? validTo.toISOString() : null,
  };
}

function socketError(socket: TLSSocket): string | null {
  const error = socket.authorizationError as Error | string | undefined;
  if (error === undefined || error === null) return null;
  return typeof error === 'string' ? error : ((error as NodeJS.ErrnoException).code ?? error.message);
}

function distinguishedName(name: PeerCertificate['subject'] | undefined): string | null {
  if (!name) return null;
  const parts = Object.entries(name).map(([key, value]) => `${key}=${Array.isArray(value) ? value.join('+') : String(value)}`);
  return parts.length > 0 ? parts.join(', ') : null;
}

const CONNECTION_ERRORS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection reset',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EADDRNOTAVAIL: 'address not available',
  ENOTFOUND: 'name not resolved',
  EAI_AGAIN: 'name not resolved (temporary failure)',
  EPROTO: 'TLS handshake failed',
};

function connectionError(error: NodeJS.ErrnoException): string {
  const code = error.code ?? '';
  if (CONNECTION_ERRORS[code]) return CONNECTION_ERRORS[code];
  if (code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS')) return `TLS handshake failed (${code})`;
  if (code === 'HPE_INVALID_CONSTANT' || code.startsWith('HPE_')) return 'not an HTTP answer';
  return code ? `connection failed (${code})` : 'connection failed';
}
