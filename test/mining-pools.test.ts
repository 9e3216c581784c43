import { describe, expect, it } from 'vitest';
import { MINING_POOLS, POOL_HOSTS, isPoolHost } from '../src/kube/mining-pools.js';
import { minerRuleItems } from '../src/remediate/falco-rules-file.js';

// The pool list is data with sources: every entry says where it comes from, so that it can be checked and
// kept up to date, and the check and the Falco rules of the remediation kit use the same list.
describe('the mining-pool list', () => {
  const entries = [
    ...MINING_POOLS.domains.map((entry) => ({ name: entry.domain, sources: entry.sources })),
    ...MINING_POOLS.hosts.map((entry) => ({ name: entry.host, sources: entry.sources })),
  ];

  it('names a known, public source for every entry', () => {
    for (const source of Object.values(MINING_POOLS.sources)) expect(source.url).toMatch(/^https:\/\//);
    for (const entry of entries) {
      expect(entry.sources.length, entry.name).toBeGreaterThan(0);
      for (const source of entry.sources) expect(Object.keys(MINING_POOLS.sources), `${entry.name}: ${source}`).toContain(source);
    }
  });

  it('holds lower-case host names, each once', () => {
    for (const entry of entries) expect(entry.name).toMatch(/^[a-z0-9-]+(?:\.[a-z0-9-]+)+$/);
    expect(new Set(MINING_POOLS.hosts.map((h) => h.host)).size).toBe(MINING_POOLS.hosts.length);
    expect(new Set(MINING_POOLS.domains.map((d) => d.domain)).size).toBe(MINING_POOLS.domains.length);
  });

  it("keeps Falco's miner_domains whole and goes beyond them", () => {
    const falco = MINING_POOLS.hosts.filter((h) => h.sources.includes('falco'));
    expect(falco.length).toBe(63);
    expect(POOL_HOSTS.length).toBeGreaterThan(falco.length);
    for (const host of ['gulf.moneroocean.stream', 'pool.hashvault.pro', 'mine.c3pool.com', 'xmr.2miners.com']) expect(POOL_HOSTS).toContain(host);
  });

  it('matches hosts under a pool operator, not look-alikes', () => {
    expect(isPoolHost('xmr-eu1.nanopool.org')).toBe(true);
    expect(isPoolHost('monero.herominers.com')).toBe(true);
    expect(isPoolHost('auto.c3pool.com.')).toBe(true);
    expect(isPoolHost('c3pool.com.example.net')).toBe(false);
    expect(isPoolHost('mynanopool.org')).toBe(false);
  });

  it("is the list the kit's Falco rules match connections against", () => {
    const list = minerRuleItems([]).find((item) => item.list === 'kfscan_miner_pool_hosts');
    expect(list?.['items']).toEqual(POOL_HOSTS);
  });
});
