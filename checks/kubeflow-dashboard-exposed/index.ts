import { describeResource as describe } from '../../src/core/object-ref.js';
import { defineBuiltinCheck } from '../../src/catalogue/check-unit.js';
import { serviceExposureKit } from '../../src/remediate/exposure.js';
import type { Resource } from '../../src/core/types.js';
import { externalReaches, hopsAsRelated, pathText, type Reach } from '../../src/kube/entry-graph.js';
import { KUBEFLOW_UI_NAMES, kubeflowUiOf, type KubeflowUi } from '../../src/kube/kubeflow-uis.js';
import { exposureSeverity, reachWording } from '../../src/kube/reachability.js';
import { onlyDefaultCredentials, PATH_AUTH_NEEDS, pathAuth, pathAuthText, type PathAuth } from '../../src/kube/path-auth.js';
import { AUTH_SECRETS } from '../../src/kube/secrets.js';
import { authSecretReferences } from '../../src/kube/secret-references.js';

// The dashboard first: it is what the 2021 attackers used; then the UI and API that start pipeline runs, then
// the web app that starts notebook servers.
const UI_ORDER: readonly KubeflowUi[] = ['dashboard', 'pipelines-ui', 'pipelines-api', 'notebooks-ui'];

const check = defineBuiltinCheck({
  meta: {
    id: 'kubeflow-dashboard-exposed',
    title: 'Kubeflow dashboard reachable from outside the cluster',
    category: 'exposure',
    severity: 'critical',
    description:
      'An external entry point (LoadBalancer, NodePort or externalIPs Service, Ingress, Gateway API route, OpenShift Route) reaches the Kubeflow central dashboard or the Pipelines UI or API, through the Istio ingress gateway and its Gateway and VirtualService, or directly. The finding names the entry point and the path. Critical, unless authentication with non-default credentials sits on the path (a cloud load balancer login, IAP, ingress auth, or ext_authz or oauth2-proxy at the gateway with a Dex that no longer has its published default user): then high, naming the authentication.',
    rationale:
      'The 2021 campaign found Kubeflow dashboards on the internet and used them to start pipelines running crypto miners. Whoever reaches the dashboard or the Pipelines API can create runs on the cluster, so every entry point to them must be deliberate.',
    remediation:
      'Keep the ingress gateway and the Kubeflow Services ClusterIP and use `kubectl port-forward svc/istio-ingressgateway -n istio-system 8080:80`; if Kubeflow must be reachable, use an internal load balancer or source ranges, put an identity-aware proxy (ALB Cognito/OIDC, IAP) or oauth2-proxy with MFA in front, and never expose centraldashboard, ml-pipeline-ui or ml-pipeline directly.',
    tags: ['MS-TA9005'],
    needs: PATH_AUTH_NEEDS,
    namedSecrets: [...AUTH_SECRETS],
  },
  secretsToRead: authSecretReferences,
  *run(inventory) {
    const byEntry = new Map<Resource, Array<{ reach: Reach; ui: KubeflowUi }>>();
    for (const reach of externalReaches(inventory)) {
      const ui = kubeflowUiOf(reach.target.name, reach.target.pods);
      if (!ui) continue;
      const list = byEntry.get(reach.entry.resource) ?? [];
      list.push({ reach, ui });
      byEntry.set(reach.entry.resource, list);
    }
    for (const [entryResource, reaches] of byEntry) {
      const uis = UI_ORDER.filter((ui) => reaches.some((r) => r.ui === ui));
      // The least protected path to the first UI: no authentication, then only default credentials.
      const judged = reaches
        .filter((r) => r.ui === uis[0])
        .map((r) => ({ ...r, auth: pathAuth(inventory, r.reach) }))
        .sort((a, b) => guardRank(a.auth) - guardRank(b.auth) || a.reach.hops.length - b.reach.hops.length);
      const best = judged[0]!;
      const { reach } = best;
      const exposure = reach.entry.exposure;
      const others = uis.slice(1).map((ui) => KUBEFLOW_UI_NAMES[ui]);
      const auth = best.auth ? `; ${pathAuthText(best.auth)}` : '';
      const how =
        reach.hops.length === 1
          ? `${describe(entryResource)} ${exposure.detail}, directly in front of its pods`
          : `${pathText(reach)}; ${describe(entryResource)} ${exposure.detail}`;
      yield {
        resource: entryResource,
        path: reach.entryPath,
        severity: exposureSeverity(exposure, onlyDefaultCredentials(best.auth)),
        message: `${KUBEFLOW_UI_NAMES[best.ui]} ${reachWording(exposure)}: ${how}${others.length > 0 ? `; it also reaches the ${others.join(' and the ')}` : ''}${auth}`,
        related: [...hopsAsRelated(reach), ...(best.auth ? [{ resource: best.auth.resource, path: best.auth.path, note: `authentication: ${best.auth.mechanism}` }] : [])],
      };
    }
  },
  attackPath: ['entry', 'dashboard'],
  probe: 'exposure',
  remediation: [serviceExposureKit],
});

/** No authentication first, then a published default login, then real authentication. */
function guardRank(auth: PathAuth | null): number {
  return auth === null ? 0 : auth.defaultLogin ? 1 : 2;
}

export default check;
