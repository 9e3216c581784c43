import ipaddr from 'ipaddr.js';

export type CidrClass = 'private' | 'narrow-public' | 'wide' | 'invalid';

// Private, shared and link-local space: a source range inside these cannot come from the internet.
const PRIVATE_BLOCKS = [
  '10.0.0.0/8',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  'fc00::/7',
  'fe80::/10',
  '::1/128',
].map((cidr) => ipaddr.parseCIDR(cidr));

// Wider than this and a "restriction" still lets in a large part of the internet.
const NARROW_PREFIX = { ipv4: 16, ipv6: 48 } as const;

/** Classifies a source range: private space, a narrow public range, or (nearly) everything. */
export function classifyCidr(text: string): CidrClass {
  let parsed: [ipaddr.IPv4 | ipaddr.IPv6, number];
  try {
    parsed = ipaddr.parseCIDR(text.trim());
  } catch {
    try {
      const address = ipaddr.parse(text.trim());
      parsed = [address, address.kind() === 'ipv4' ? 32 : 128];
    } catch {
      return 'invalid';
    }
  }
  const [address, prefix] = parsed;
  const inPrivate = PRIVATE_BLOCKS.some(
    ([block, blockPrefix]) => block.kind() === address.kind() && prefix >= blockPrefix && address.match(block, blockPrefix),
  );
  if (inPrivate) return 'private';
  return prefix >= NARROW_PREFIX[address.kind()] ? 'narrow-public' : 'wide';
}

/** An address a load balancer was given: private (MetalLB on a LAN, an internal LB) or public. */
export function isPrivateAddress(text: string): boolean {
  try {
    const address = ipaddr.process(text.trim());
    return PRIVATE_BLOCKS.some(([block, prefix]) => block.kind() === address.kind() && address.match(block, prefix));
  } catch {
    return false;
  }
}
