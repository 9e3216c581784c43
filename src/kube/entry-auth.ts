import type { FieldPath, Resource } from '../core/types.js';

/**
 * Authentication an entry point enforces before traffic reaches the cluster's own services: a cloud
 * load balancer's login (ALB Cognito/OIDC, Google IAP), an ingress controller's external auth or basic
 * auth.
 */
export interface EntryAuth {
  /** Human-readable, e.g. `ALB Cognito authentication`. */
  mechanism: string;
  resource: Resource;
  path: FieldPath;
  /**
   * Who checks the second factor: a federated IdP (Cognito, Google, an OIDC provider) can; a shared
   * password cannot; `unknown` for an external auth service kfscan cannot see into.
   */
  login: 'federated' | 'shared-password' | 'unknown';
}
