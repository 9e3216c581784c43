import type { FieldPath, Severity } from '../core/types.js';
import type { ServiceExposure } from './service-exposure.js';

/**
 * How far an entry point reaches, whatever its kind: `public` (nothing in the cluster limits it;
 * `confirmed` false when that depends on what kfscan cannot see, such as node addresses), `limited` (a
 * few public networks), `private` (internal load balancer, private ranges or addresses).
 */
export interface Reachability {
  reach: 'public' | 'limited' | 'private';
  confirmed: boolean;
  /** Completes "<entry> ...", e.g. `is type LoadBalancer with no source ranges`. */
  detail: string;
  /** Field that shows the exposure. */
  path: FieldPath;
}

export function fromServiceExposure(exposure: ServiceExposure): Reachability | null {
  if (exposure.reach === 'cluster') return null;
  return {
    reach: exposure.reach,
    confirmed: exposure.reach === 'public' ? exposure.confirmed : true,
    detail: exposure.detail,
    path: exposure.path,
  };
}

/**
 * Severity of an exposure: `info` for private networks only (the reader confirms), `medium` for a few
 * public networks, `high` when public, raised to `critical` when the caller says what lies behind is
 * critical and nothing kfscan cannot see (node addresses) stands between.
 */
export function exposureSeverity(exposure: Reachability, criticalBehind: boolean): Severity {
  if (exposure.reach === 'private') return 'info';
  if (exposure.reach === 'limited') return 'medium';
  return criticalBehind && exposure.confirmed ? 'critical' : 'high';
}

/**
 * Where an entry point can be reached from, in the three terms a reader acts on: the internet, a
 * private network (internal load balancer, private source ranges or addresses), or, for a NodePort whose
 * nodes' addresses are unknown, the internet wherever nodes have public addresses.
 */
export function reachWording(exposure: Reachability): string {
  if (exposure.reach === 'private') return 'reachable from a private network only, not from the internet';
  if (exposure.reach === 'limited') return 'reachable from a few public networks only';
  return exposure.confirmed ? 'reachable from the internet' : 'reachable from the internet wherever the nodes have public addresses';
}

/** For findings about something no entry point reaches: it is reached from inside the cluster only. */
export const INSIDE_ONLY = 'reachable only from inside the cluster: no entry point from outside in the input (port-forward reaches it)';
