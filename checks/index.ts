// The built-in catalogue. Adding a check: create checks/<id>.ts, fixtures/<id>/ and docs/checks/<id>.md,
// then list it here; the catalogue test fails until all three exist.
import type { Check } from '../src/core/types.js';
import falcoMinerRules from './falco-miner-rules.js';
import falcoMissing from './falco-missing.js';
import falcoNodeCoverage from './falco-node-coverage.js';
import ingressGatewayExposed from './ingress-gateway-exposed.js';
import minerIndicators from './miner-indicators.js';
import mutableMlImage from './mutable-ml-image.js';

export const builtinChecks: readonly Check[] = [
  ingressGatewayExposed,
  mutableMlImage,
  minerIndicators,
  falcoMissing,
  falcoNodeCoverage,
  falcoMinerRules,
];
