import data from './data/mining-pools.json' with { type: 'json' };

/**
 * Mining-pool host names, from src/kube/data/mining-pools.json: each entry names its public sources
 * (Falco's miner_domains, Sigma's Monero pool rule, ...). `hosts` are exact names (what Falco's
 * fd.sip.name can match); `domains` are pool operators, every host under which counts.
 */
export interface MiningPoolData {
  sources: Readonly<Record<string, { title: string; url: string; license?: string }>>;
  domains: ReadonlyArray<{ domain: string; sources: readonly string[]; note?: string }>;
  hosts: ReadonlyArray<{ host: string; sources: readonly string[] }>;
}

export const MINING_POOLS: MiningPoolData = data;

/** Exact pool host names, sorted: what Falco rules list. */
export const POOL_HOSTS: readonly string[] = [...new Set(MINING_POOLS.hosts.map((entry) => entry.host.toLowerCase()))].sort();

const EXACT = new Set(POOL_HOSTS);
const DOMAINS = MINING_POOLS.domains.map((entry) => entry.domain.toLowerCase());

/** A known pool host: listed exactly, or under a listed pool operator's domain (not a look-alike such as `nanopool.org.example.com`). */
export function isPoolHost(host: string): boolean {
  const name = host.toLowerCase().replace(/\.$/, '');
  return EXACT.has(name) || DOMAINS.some((domain) => name === domain || name.endsWith(`.${domain}`));
}
