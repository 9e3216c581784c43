// Loopback imitations of what `kfscan cluster --probe` meets behind a cluster's entry points: an open
// Kubeflow dashboard, one behind an oauth2-proxy redirect, a Dex login page, a stalled server, a server
// that redirects forever, and a closed port. Each logs what reached it, so that tests can say what the
// probe sent (and that it sent nothing it should not).
import { randomBytes } from 'node:crypto';
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import selfsigned from 'selfsigned';
import { afterAll } from 'vitest';

export interface SeenRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** Bytes of request body received. */
  bodyBytes: number;
  /** A client certificate was presented (HTTPS servers ask for one and accept none). */
  clientCertificate: boolean;
}

export interface Imitation {
  host: string;
  port: number;
  /** `http://127.0.0.2:40123` */
  origin: string;
  requests: SeenRequest[];
  /** Connections accepted so far, and the most open at once. */
  connections: { total: number; peak: number };
  close(): Promise<void>;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, self: { origin: string }) => void;

/** Starts servers in a test file and closes them all after its last test. */
export function useImitations(): (host: string, handler: Handler, options?: { tls?: { certPem: string; keyPem: string } }) => Promise<Imitation> {
  const started: Imitation[] = [];
  afterAll(async () => {
    await Promise.all(started.map((server) => server.close()));
  });
  return async (host, handler, options = {}) => {
    const imitation = await startImitation(host, handler, options);
    started.push(imitation);
    return imitation;
  };
}

export async function startImitation(host: string, handler: Handler, options: { tls?: { certPem: string; keyPem: string } } = {}): Promise<Imitation> {
  const requests: SeenRequest[] = [];
  const connections = { total: 0, peak: 0 };
  let open = 0;
  const sockets = new Set<net.Socket>();
  const scheme = options.tls ? 'https' : 'http';
  let origin = '';
  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    let bodyBytes = 0;
    req.on('data', (chunk: Buffer) => (bodyBytes += chunk.length));
    req.on('end', () => {
      const socket = req.socket as TLSSocket;
      const certificate = options.tls ? socket.getPeerCertificate() : null;
      requests.push({
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        bodyBytes,
        clientCertificate: certificate !== null && Object.keys(certificate).length > 0,
      });
      handler(req, res, { origin });
    });
  };
  const server = options.tls
    ? https.createServer({ cert: options.tls.certPem, key: options.tls.keyPem, requestCert: true, rejectUnauthorized: false }, listener)
    : http.createServer(listener);
  server.on('connection', (socket: net.Socket) => {
    connections.total++;
    open++;
    connections.peak = Math.max(connections.peak, open);
    sockets.add(socket);
    socket.on('close', () => {
      open--;
      sockets.delete(socket);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.address() as AddressInfo).port;
  origin = `${scheme}://${host}:${port}`;
  return {
    host,
    port,
    origin,
    requests,
    connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A port on `host` that nothing listens on: bound, then closed. */
export async function closedPort(host: string): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

// The central dashboard as Kubeflow serves it without authentication in front: its Polymer page, and
// env-info answering for the anonymous user the dashboard falls back to when no identity header came.
const DASHBOARD_PAGE = `<!doctype html>
<html lang="en">
<head>
    <meta charset="utf-8">
    <meta name="description" content="Kubeflow Central Dashboard">
    <title>Kubeflow Central Dashboard</title>
    <base href="/">
    <script src="webcomponentsjs/webcomponents-loader.js"></script>
</head>
<body>
    <main-page></main-page>
    <noscript>Please enable JavaScript to view this website.</noscript>
</body>
</html>
`;

export const SESSION_SECRET = `s3cr3t-${randomBytes(24).toString('hex')}`;

export const openDashboard: Handler = (req, res) => {
  const path = (req.url ?? '/').split('?')[0]!;
  // A session cookie, as a real server may set: the probe must never send it back.
  res.setHeader('set-cookie', `kf-session=${SESSION_SECRET}; Path=/; HttpOnly`);
  if (path === '/') return send(res, 200, 'text/html; charset=utf-8', DASHBOARD_PAGE);
  if (path === '/api/workgroup/env-info') {
    return send(res, 200, 'application/json; charset=utf-8', JSON.stringify({
      user: 'anonymous@kubeflow.org',
      platform: { provider: 'other://', providerName: 'other', kubeflowVersion: '1.8.0' },
      namespaces: [{ user: 'anonymous@kubeflow.org', namespace: 'kubeflow-user-example-com', role: 'contributor' }],
      isClusterAdmin: true,
    }));
  }
  if (path === '/pipeline/apis/v1beta1/pipelines') {
    return send(res, 200, 'application/json', JSON.stringify({ pipelines: [{ id: 'b6d0f0c1', name: '[Tutorial] Data passing in python components' }], total_size: 5, next_page_token: 'eyJTb3J0QnlGaWVsZE5hbWUiOiJDcmVhdGVkQXRJblNlYyJ9' }));
  }
  send(res, 404, 'text/plain', 'Not Found');
};

/**
 * oauth2-proxy in front of the gateway, as Kubeflow 1.9+ configures it: every unauthenticated request
 * goes to Dex, which here lives on another host (a login domain of its own), with a CSRF cookie and a
 * state parameter that are secrets.
 */
export function oauth2ProxyTo(dexOrigin: string): Handler {
  return (req, res, self) => {
    const state = randomBytes(16).toString('hex');
    const target = new URL('/dex/auth', dexOrigin);
    target.searchParams.set('client_id', 'kubeflow-oidc-authservice');
    target.searchParams.set('redirect_uri', `${self.origin}/oauth2/callback`);
    target.searchParams.set('response_type', 'code');
    target.searchParams.set('scope', 'openid profile email groups');
    target.searchParams.set('state', `${state}:${req.url ?? '/'}`);
    res.setHeader('set-cookie', `_oauth2_proxy_csrf=${SESSION_SECRET}; Path=/; HttpOnly`);
    res.writeHead(302, { location: target.toString() }).end();
  };
}

/** Dex's password login page (its default theme), with the hidden state field it carries. */
export function dexLoginPage(state = SESSION_SECRET): string {
  return `<!DOCTYPE html>
<html>
  <head>
    <meta charset="utf-8">
    <title>dex</title>
    <link href="/dex/static/main.css" rel="stylesheet">
    <link href="/dex/theme/styles.css" rel="stylesheet">
  </head>
  <body class="theme-body">
    <div class="theme-panel">
      <h2 class="theme-heading">Log in to Your Account</h2>
      <form method="post" action="/dex/auth/local/login?back=&amp;state=${state}">
        <input type="hidden" name="req" value="${state}"/>
        <input tabindex="1" required id="login" name="login" type="text" class="theme-form-input" placeholder="email address" autofocus />
        <input tabindex="2" required id="password" name="password" type="password" class="theme-form-input" placeholder="password" />
        <button tabindex="3" id="submit-login" type="submit" class="dex-btn theme-btn--primary">Login</button>
      </form>
    </div>
  </body>
</html>
`;
}

export const dexServer: Handler = (_req, res) => send(res, 200, 'text/html; charset=utf-8', dexLoginPage());

/**
 * A gateway that sends every request to a start page on its own host, which then shows Dex's login
 * page (as when Dex is served through the same gateway): one same-host redirect to follow.
 */
export const sameHostLogin: Handler = (req, res, self) => {
  if ((req.url ?? '').startsWith('/start')) return send(res, 200, 'text/html; charset=utf-8', dexLoginPage());
  res.writeHead(302, { location: `${self.origin}/start?session=${SESSION_SECRET}` }).end();
};

/** Redirects every path to another path of its own: only the request budget stops a client. */
export const endlessRedirects: Handler = (req, res) => {
  res.writeHead(302, { location: `/next${(req.url ?? '/').length}${randomBytes(2).toString('hex')}` }).end();
};

/** Accepts the request and never answers. */
export const stall: Handler = () => undefined;

/** Answers after a delay, with the dashboard. */
export function slowDashboard(delayMs: number): Handler {
  return (req, res, self) => setTimeout(() => openDashboard(req, res, self), delayMs);
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) }).end(body);
}

/** A self-signed certificate for the given IP addresses, valid now or expired. */
export async function selfSignedCertificate(ips: readonly string[], options: { expired?: boolean } = {}): Promise<{ certPem: string; keyPem: string }> {
  const now = Date.now();
  const day = 24 * 60 * 60 * 1000;
  const generated = await selfsigned.generate([{ name: 'commonName', value: 'kubeflow.example.com' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate: new Date(now - (options.expired ? 30 : 1) * day),
    notAfterDate: new Date(now + (options.expired ? -2 : 2) * day),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'subjectAltName', altNames: ips.map((ip) => ({ type: 7, ip })) },
    ],
  });
  return { certPem: generated.cert, keyPem: generated.private };
}
