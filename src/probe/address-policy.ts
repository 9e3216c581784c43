// Which addresses the probe may connect to. The addresses come from the cluster's status fields, which
// whoever controls the cluster (or a controller in it) writes: a load balancer "at" 127.0.0.1 or at the
// cloud's metadata service would turn the probe against the machine kfscan runs on, or against the
// credentials of the cloud account it runs in, and put what answered into the report.
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/** Cloud metadata and platform endpoints: never probed, whatever the options. */
const METADATA_ADDRESSES = new Set([
  '169.254.169.254', // AWS, Azure, GCP, Oracle, DigitalOcean, OpenStack, ...
  '169.254.170.2', // AWS ECS task metadata
  '169.254.169.123', // AWS time sync, same link
  '100.100.100.200', // Alibaba Cloud
  '168.63.129.16', // Azure WireServer
  'fd00:ec2::254', // AWS IMDS over IPv6
  'fd00:ec2::23', // AWS DNS over IPv6
  'fd20:ce::254', // GCP metadata over IPv6
]);
const METADATA_NAMES = new Set(['metadata.google.internal', 'metadata.goog', 'metadata', 'instance-data', 'instance-data.ec2.internal', 'metadata.azure.internal']);

export interface AddressPolicy {
  /** `--probe-allow-local`: loopback, link-local and unspecified addresses may be probed (a lab on this machine). */
  allowLocal: boolean;
}

/** Why the probe must not connect to this address or name, or `null` when it may. */
export function refusal(address: string, policy: AddressPolicy): string | null {
  const name = address.trim().toLowerCase().replace(/\.$/, '');
  if (METADATA_NAMES.has(name)) return `${address} is a cloud metadata service`;
  if (isIP(name) === 0) return null;
  const ip = effectiveAddress(ipaddr.parse(name));
  const normal = ip.toNormalizedString();
  const compact = ip.kind() === 'ipv6' ? ip.toString() : normal;
  if (METADATA_ADDRESSES.has(normal) || METADATA_ADDRESSES.has(compact)) return `${address} is a cloud metadata address`;
  const range = ip.range();
  if (range === 'multicast' || range === 'broadcast') return `${address} is a ${range} address`;
  if (policy.allowLocal) return null;
  if (range === 'loopback' || range === 'linkLocal' || range === 'unspecified') {
    return `${address} is a ${range === 'linkLocal' ? 'link-local' : range} address (--probe-allow-local probes it)`;
  }
  return null;
}

/**
 * The IPv4 address an IPv6 address stands for when it embeds one (IPv4-mapped `::ffff:127.0.0.1`, the
 * NAT64 prefix `64:ff9b::/96`, 6to4 `2002::/16`), so that no spelling gets around the policy.
 */
function effectiveAddress(ip: ipaddr.IPv4 | ipaddr.IPv6): ipaddr.IPv4 | ipaddr.IPv6 {
  if (ip.kind() === 'ipv4') return ip;
  const v6 = ip as ipaddr.IPv6;
  if (v6.isIPv4MappedAddress()) return v6.toIPv4Address();
  const parts = v6.parts;
  const embedded = (high: number, low: number): ipaddr.IPv4 => new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
  const range = v6.range();
  if (range === 'rfc6052' || range === 'rfc6145') return embedded(parts[6]!, parts[7]!);
  if (range === '6to4') return embedded(parts[1]!, parts[2]!);
  // The deprecated IPv4-compatible form `::a.b.c.d`.
  if (parts.slice(0, 6).every((part) => part === 0) && (parts[6] !== 0 || parts[7]! > 1)) return embedded(parts[6]!, parts[7]!);
  return v6;
}

export type Resolution = { address: string; refused: null } | { address: null; refused: string };

/**
 * The one address the probe connects to for `address`: the address itself, or what the name resolves to
 * now, checked. Every address the name resolves to must pass, and the connection then goes to the checked
 * one, never through a second lookup, so a name cannot answer a public address to the check and
 * 127.0.0.1 to the connection (DNS rebinding).
 */
export async function resolveChecked(address: string, policy: AddressPolicy, resolver: (name: string) => Promise<string[]> = lookupAll): Promise<Resolution> {
  const named = refusal(address, policy);
  if (named) return { address: null, refused: named };
  const text = address.trim();
  if (isIP(text) !== 0) return { address: text, refused: null };
  let addresses: string[];
  try {
    addresses = await resolver(text);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { address: null, refused: code === 'ENOTFOUND' || code === 'ENODATA' ? 'name not resolved' : `name not resolved (${code ?? 'error'})` };
  }
  if (addresses.length === 0) return { address: null, refused: 'name not resolved' };
  for (const resolved of addresses) {
    const why = refusal(resolved, policy);
    if (why) return { address: null, refused: `${text} resolves to ${why}` };
  }
  // IPv4 first, as most load balancers answer there (one address is used, never a second lookup).
  const ordered = [...addresses].sort((a, b) => isIP(a) - isIP(b));
  return { address: ordered[0]!, refused: null };
}

async function lookupAll(name: string): Promise<string[]> {
  return (await lookup(name, { all: true, verbatim: true })).map((entry) => entry.address);
}
