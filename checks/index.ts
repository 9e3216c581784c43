// The built-in catalogue, in the order of the contract (the attacker's path, then what would notice).
// Adding a check: copy a folder (checks/<id>/: index.ts, README.md, fixtures/), then import and list it
// here; the catalogue test fails until the folder is listed and complete (CONTRIBUTING.md).
import type { CheckUnit } from '../src/catalogue/check-unit.js';
import dashboardAuthMissing from './dashboard-auth-missing/index.js';
import defaultCredentials from './default-credentials/index.js';
import egressUnrestricted from './egress-unrestricted/index.js';
import falcoMinerRules from './falco-miner-rules/index.js';
import falcoMissing from './falco-missing/index.js';
import falcoNodeCoverage from './falco-node-coverage/index.js';
import growthAlertsMissing from './growth-alerts-missing/index.js';
import ingressGatewayExposed from './ingress-gateway-exposed/index.js';
import kubeflowDashboardExposed from './kubeflow-dashboard-exposed/index.js';
import mfaNotEnforced from './mfa-not-enforced/index.js';
import minerIndicators from './miner-indicators/index.js';
import mutableMlImage from './mutable-ml-image/index.js';
import namespaceQuotaMissing from './namespace-quota-missing/index.js';
import prometheusMissing from './prometheus-missing/index.js';
import sensitiveUiExposed from './sensitive-ui-exposed/index.js';

export const builtinChecks: readonly CheckUnit[] = [
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
