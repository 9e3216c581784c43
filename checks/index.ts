// The built-in catalogue, in the order of the contract (the attacker's path, then what would notice).
// Adding a check: create checks/<id>.ts, fixtures/<id>/ and docs/checks/<id>.md, then list it here; the
// catalogue test fails until all three exist.
import type { Check } from '../src/core/types.js';
import dashboardAuthMissing from './dashboard-auth-missing.js';
import defaultCredentials from './default-credentials.js';
import egressUnrestricted from './egress-unrestricted.js';
import falcoMinerRules from './falco-miner-rules.js';
import falcoMissing from './falco-missing.js';
import falcoNodeCoverage from './falco-node-coverage.js';
import growthAlertsMissing from './growth-alerts-missing.js';
import ingressGatewayExposed from './ingress-gateway-exposed.js';
import kubeflowDashboardExposed from './kubeflow-dashboard-exposed.js';
import mfaNotEnforced from './mfa-not-enforced.js';
import minerIndicators from './miner-indicators.js';
import mutableMlImage from './mutable-ml-image.js';
import namespaceQuotaMissing from './namespace-quota-missing.js';
import prometheusMissing from './prometheus-missing.js';
import sensitiveUiExposed from './sensitive-ui-exposed.js';

export const builtinChecks: readonly Check[] = [
  ingressGatewayExposed,
  kubeflowDashboardExposed,
  sensitiveUiExposed,
  dashboardAuthMissing,
  defaultCredentials,
  mfaNotEnforced,
  mutableMlImage,
  minerIndicators,
  falcoMissing,
  falcoNodeCoverage,
  falcoMinerRules,
  prometheusMissing,
  growthAlertsMissing,
  egressUnrestricted,
  namespaceQuotaMissing,
];
