import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

type Environment = Readonly<Record<string, string | undefined>>;

/**
 * The proxy kubectl would reach `server` through when the cluster sets no `proxy-url`: `HTTPS_PROXY` (or
 * `HTTP_PROXY` for an `http://` server) unless `NO_PROXY` exempts the host, by the rules of Go's
 * `golang.org/x/net/http/httpproxy`, which client-go uses. client-node reads only a cluster's `proxy-url`,
 * so without this a laptop whose kubectl works through a corporate proxy would try to connect directly.
 * Loopback and `localhost` are never proxied. Returns `null` for a direct connection.
 */
export function proxyFromEnvironment(server: string, env: Environment): string | null {
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    return null;
  }
  const https = url.protocol === 'https:';
  if (!https && url.protocol !== 'http:') return null;
  const proxy = https ? firstSet(env, 'HTTPS_PROXY', 'https_proxy') : firstSet(env, 'HTTP_PROXY', 'http_proxy');
  if (proxy === null) return null;
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const port = url.port || (https ? '443' : '80');
  if (exempt(host.toLowerCase(), port, firstSet(env, 'NO_PROXY', 'no_proxy') ?? '')) return null;
  // Go takes `proxy.corp:3128` as `http://proxy.corp:3128`.
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(proxy) ? proxy : `http://${proxy}`;
}

function firstSet(env: Environment, ...names: string[]): string | null {
  for (const name of names) {
    const value = env[name]?.trim();
    if (value) return value;
  }
  return null;
}

function exempt(host: string, port: string, noProxy: string): boolean {
  if (host === 'localhost') return true;
  const ip = isIP(host) ? ipaddr.process(host) : null;
  if (ip?.range() === 'loopback') return true;
  for (const raw of noProxy.split(',')) {
    const entry = raw.trim().toLowerCase();
    if (entry === '') continue;
    if (entry === '*') return true;
    if (entry.includes('/')) {
      if (ip !== null && inCidr(ip, entry)) return true;
      continue;
    }
    const { entryHost, entryPort } = splitEntry(entry);
    if (entryHost === '' || (entryPort !== '' && entryPort !== port)) continue;
    if (isIP(entryHost)) {
      if (ip !== null && ipaddr.process(entryHost).toNormalizedString() === ip.toNormalizedString()) return true;
      continue;
    }
    if (ip !== null) continue;
    // `corp.example` exempts itself and its subdomains; `.corp.example` and `*.corp.example` only the subdomains.
    const domain = entryHost.startsWith('*.') ? entryHost.slice(1) : entryHost;
    if (domain.startsWith('.') ? host.endsWith(domain) : host === domain || host.endsWith(`.${domain}`)) return true;
  }
  return false;
}

/** `host`, `host:port`, `[v6]:port`, or a bare IPv6 address (which a port split would cut apart). */
function splitEntry(entry: string): { entryHost: string; entryPort: string } {
  const bracketed = /^\[([^\]]*)\](?::(\d+))?$/.exec(entry);
  if (bracketed) return { entryHost: bracketed[1] ?? '', entryPort: bracketed[2] ?? '' };
  if (isIP(entry) === 6) return { entryHost: entry, entryPort: '' };
  const withPort = /^(.*):(\d+)$/.exec(entry);
  return withPort ? { entryHost: withPort[1] ?? '', entryPort: withPort[2] ?? '' } : { entryHost: entry, entryPort: '' };
}

function inCidr(ip: ipaddr.IPv4 | ipaddr.IPv6, cidr: string): boolean {
  try {
    const [network, bits] = ipaddr.parseCIDR(cidr);
    return ip.kind() === network.kind() && ip.match(network, bits);
  } catch {
    return false;
  }
}
