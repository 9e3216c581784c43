import { describe, expect, it } from 'vitest';
import { proxyFromEnvironment } from '../src/live/env-proxy.js';

// The expectations follow Go's golang.org/x/net/http/httpproxy, which kubectl (client-go) uses.
describe('proxyFromEnvironment', () => {
  const proxy = 'http://proxy.corp:3128';

  it('takes HTTPS_PROXY for https servers and HTTP_PROXY for http ones, upper case first, and adds http:// to a bare address', () => {
    expect(proxyFromEnvironment('https://api.example:6443', { HTTPS_PROXY: proxy, HTTP_PROXY: 'http://other:1' })).toBe(proxy);
    expect(proxyFromEnvironment('http://api.example:8080', { HTTPS_PROXY: proxy, HTTP_PROXY: 'http://other:1' })).toBe('http://other:1');
    expect(proxyFromEnvironment('https://api.example', { https_proxy: proxy })).toBe(proxy);
    expect(proxyFromEnvironment('https://api.example', { HTTPS_PROXY: proxy, https_proxy: 'http://lower:1' })).toBe(proxy);
    expect(proxyFromEnvironment('https://api.example', { HTTPS_PROXY: ' ', https_proxy: 'http://lower:1' })).toBe('http://lower:1');
    expect(proxyFromEnvironment('https://api.example', { HTTPS_PROXY: 'proxy.corp:3128' })).toBe(proxy);
    expect(proxyFromEnvironment('https://api.example', { HTTPS_PROXY: 'socks5://127.0.0.1:1080' })).toBe('socks5://127.0.0.1:1080');
    expect(proxyFromEnvironment('https://api.example', { HTTP_PROXY: proxy })).toBeNull();
    expect(proxyFromEnvironment('https://api.example', {})).toBeNull();
    expect(proxyFromEnvironment('not a url', { HTTPS_PROXY: proxy })).toBeNull();
  });

  it('never proxies localhost or a loopback address', () => {
    for (const server of ['https://localhost:6443', 'https://127.0.0.1:6443', 'https://127.8.9.10', 'https://[::1]:6443', 'https://LOCALHOST']) {
      expect(proxyFromEnvironment(server, { HTTPS_PROXY: proxy }), server).toBeNull();
    }
    expect(proxyFromEnvironment('https://localhost.corp.example', { HTTPS_PROXY: proxy })).toBe(proxy);
  });

  // [server, NO_PROXY, proxied?]
  const noProxyCases: Array<[string, string, boolean]> = [
    ['https://api.corp.example', '*', false],
    ['https://corp.example', 'corp.example', false],
    ['https://api.corp.example', 'corp.example', false],
    ['https://notcorp.example', 'corp.example', true],
    ['https://corp.example', '.corp.example', true],
    ['https://api.corp.example', '.corp.example', false],
    ['https://corp.example', '*.corp.example', true],
    ['https://api.corp.example', '*.corp.example', false],
    ['https://API.Corp.Example', ' other.example , CORP.EXAMPLE ', false],
    // A port in the entry exempts that port only; the server's default port is 443.
    ['https://api.corp.example:6443', 'corp.example:6443', false],
    ['https://api.corp.example:8443', 'corp.example:6443', true],
    ['https://api.corp.example', 'corp.example:443', false],
    // IP addresses match exactly (with a port, only that port), CIDRs by range; neither matches a name.
    ['https://10.1.2.3:6443', '10.1.2.3', false],
    ['https://10.1.2.3:6443', '10.1.2.3:443', true],
    ['https://10.1.2.3:6443', '10.0.0.0/8', false],
    ['https://11.1.2.3:6443', '10.0.0.0/8', true],
    ['https://[fd00::5]:6443', 'fd00::/8', false],
    ['https://[fd00::5]:6443', 'fd00::5', false],
    ['https://[fd00::5]:6443', '[fd00::5]:6443', false],
    ['https://[fd00::5]:6443', '10.0.0.0/8', true],
    ['https://api.corp.example', '10.0.0.0/8,10.1.2.3', true],
    // Malformed entries exempt nothing.
    ['https://api.corp.example', ',:443, ,not/a/cidr', true],
  ];

  it.each(noProxyCases)('%s with NO_PROXY=%j: proxied %s', (server, noProxy, proxied) => {
    expect(proxyFromEnvironment(server, { HTTPS_PROXY: proxy, NO_PROXY: noProxy })).toBe(proxied ? proxy : null);
  });
});
