// The built-in catalogue. Adding a check: create checks/<id>.ts, fixtures/<id>/ and docs/checks/<id>.md,
// then list it here; the catalogue test fails until all three exist.
import type { Check } from '../src/core/types.js';
import dashboardAuthMissing from './dashboard-auth-missing.js';
import defaultCredentials from './default-credentials.js';
import ingressGatewayExposed from './ingress-gateway-exposed.js';
import kubeflowDashboardExposed from './kubeflow-dashboard-exposed.js';
import mfaNotEnforced from './mfa-not-enforced.js';
import mutableMlImage from './mutable-ml-image.js';
import sensitiveUiExposed from './sensitive-ui-exposed.js';

export const builtinChecks: readonly Check[] = [ingressGatewayExposed, kubeflowDashboardExposed, dashboardAuthMissing, defaultCredentials, mfaNotEnforced, sensitiveUiExposed, mutableMlImage];
