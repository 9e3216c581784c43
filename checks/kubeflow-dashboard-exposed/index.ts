import { describeResource as describe } from '../../src/core/object-ref.js';
import { defineBuiltinCheck } from '../../src/catalogue/check-unit.js';
import { serviceExposureKit } from '../../src/remediate/exposure.js';
import type { Resource } from '../../src/core/types.js';
import { externalReaches, hopsAsRelated, pathText, type Reach } from '../../src/kube/entry-graph.js';
import { KUBEFLOW_UI_NAMES, kubeflowUiOf, type KubeflowUi } from '../../src/kube/kubeflow-uis.js';
import { exposureSeverity, reachWording } from '../../src/kube/reachability.js';
import { EXPOSURE_NEEDS } from '../../src/kube/exposure-needs.js';

// The dashboard first: it is what the 2021 attackers used; then the UI and API that start pipeline runs.
const UI_ORDER: readonly KubeflowUi[] = ['dashboard', 'pipelines-ui', 'pipelines-api'];

const check = defineBuiltinCheck({
  meta: {
    id: 'kubeflow-dashboard-exposed',
    title: 'Kubeflow dashboard reachable from outside the cluster',
    category: 'exposure',
    severity: 'critical',
    description:
      'An external entry point (LoadBalancer, NodePort or externalIPs Service, Ingress, Gateway API route, OpenShift Route) reaches the Kubeflow central dashboard or the Pipelines UI or API, through the Istio ingress gateway and its Gateway and VirtualService, or directly. The finding names the entry point and the path.',
    rationale:
      'The 2021 campaign found Kubeflow dashboards on the internet and used them to start pipelines running crypto miners. Whoever reaches the dashboard or the Pipelines API can create runs on the cluster, so every entry point to them must be deliberate.',
    remediation:
      'Keep the ingress gateway and the Kubeflow Services ClusterIP and use `kubectl port-forward svc/istio-ingressgateway -n istio-system 8080:80`; if Kubeflow must be reachable, use an internal load balancer or source ranges, put an identity-aware proxy (ALB Cognito/OIDC, IAP) or oauth2-proxy with MFA in front, and never expose centraldashboard, ml-pipeline-ui or ml-pipeline directly.',
    tags: ['MS-TA9005'],
    needs: EXPOSURE_NEEDS,
  },
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
      const best = reaches
        .filter((r) => r.ui === uis[0])
        .sort((a, b) => Number(a.reach.entryAuth !== null) - Number(b.reach.entryAuth !== null) || a.reach.hops.length - b.reach.hops.length)[0]!;
      const { reach } = best;
      const exposure = reach.entry.exposure;
      const others = uis.slice(1).map((ui) => KUBEFLOW_UI_NAMES[ui]);
      const auth = reach.entryAuth ? `; the entry requires ${reach.entryAuth.mechanism}` : '';
      const how =
        reach.hops.length === 1
          ? `${describe(entryResource)} ${exposure.detail}, directly in front of its pods`
          : `${pathText(reach)}; ${describe(entryResource)} ${exposure.detail}`;
      yield {
        resource: entryResource,
        path: reach.entryPath,
        severity: exposureSeverity(exposure, reach.entryAuth === null),
        message: `${KUBEFLOW_UI_NAMES[best.ui]} ${reachWording(exposure)}: ${how}${others.length > 0 ? `; it also reaches the ${others.join(' and the ')}` : ''}${auth}`,
        related: hopsAsRelated(reach),
      };
    }
  },
  attackPath: ['entry', 'dashboard'],
  probe: 'exposure',
  remediation: [serviceExposureKit],
});

export default check;
