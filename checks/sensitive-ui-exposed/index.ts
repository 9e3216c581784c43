import { describeResource as describe } from '../../src/core/object-ref.js';
import { defineBuiltinCheck } from '../../src/catalogue/check-unit.js';
import { serviceExposureKit } from '../../src/remediate/exposure.js';
import type { Inventory, Resource } from '../../src/core/types.js';
import { externalReaches, hopsAsRelated, pathText, type Reach } from '../../src/kube/entry-graph.js';
import { GATEWAY_AUTH_NEEDS } from '../../src/kube/exposure-needs.js';
import { gatewayAuth } from '../../src/kube/gateway-auth.js';
import { kubeflowIngresses } from '../../src/kube/kubeflow-ingress.js';
import { exposureSeverity, reachWording } from '../../src/kube/reachability.js';
import { SENSITIVE_UI_NAMES, sensitiveUiOf, type SensitiveUi } from '../../src/kube/sensitive-uis.js';


const check = defineBuiltinCheck({
  meta: {
    id: 'sensitive-ui-exposed',
    title: 'Admin or ML UI reachable from outside the cluster',
    category: 'exposure',
    severity: 'high',
    description:
      'An external entry point (LoadBalancer, NodePort or externalIPs Service, Ingress, Gateway API route, OpenShift Route, KubeRay head Service) reaches the Kubernetes Dashboard, the Argo Workflows server, a Jupyter notebook server, TensorBoard, MLflow or a Ray dashboard. Critical when that UI lets anyone in (--enable-skip-login, --auth-mode=server, an empty notebook token, MLflow without basic auth, Ray) and nothing on the path authenticates.',
    rationale:
      "These UIs run code or start pods: the 2020 Kubeflow campaign deployed miners through exposed notebook servers, and Ray's unauthenticated job API has been mined the same way. The Threat Matrix lists them as exposed sensitive interfaces.",
    remediation:
      'Keep these Services ClusterIP and use kubectl port-forward, or publish them only through an internal load balancer or an authenticating proxy; turn their own login on (remove --enable-skip-login, use --auth-mode=client or sso for Argo, set a Jupyter token or password, run MLflow with --app-name basic-auth).',
    tags: ['MS-TA9005'],
    needs: [...GATEWAY_AUTH_NEEDS, 'rbac.authorization.k8s.io/ClusterRoleBinding'],
  },
  *run(inventory) {
    const kubeflowGateways = new Set<Resource>(kubeflowIngresses(inventory).map((k) => k.gateway));
    const best = new Map<string, { reach: Reach; ui: SensitiveUi; auth: string | null }>();
    for (const reach of externalReaches(inventory)) {
      const ui = sensitiveUiOf(inventory, reach.target.name, reach.target.pods);
      if (!ui) continue;
      // Notebooks and TensorBoards that Kubeflow runs for its users are routed through Kubeflow's gateway
      // and its authentication, which the Kubeflow checks judge.
      if (ui.kubeflowManaged && reach.passages.some((p) => kubeflowGateways.has(p.gateway))) continue;
      const auth = authOnPath(inventory, reach);
      const key = `${reach.entry.resource.ref.kind}/${reach.entry.resource.ref.namespace}/${reach.entry.resource.ref.name}:${ui.kind}`;
      const current = best.get(key);
      if (!current || (current.auth !== null && auth === null) || (!current.ui.loginDisabled && ui.loginDisabled)) best.set(key, { reach, ui, auth });
    }
    for (const { reach, ui, auth } of best.values()) {
      const exposure = reach.entry.exposure;
      const entry = reach.entry.resource;
      const how =
        reach.hops.length === 1
          ? `${describe(entry)} ${exposure.detail}`
          : `${pathText(reach)}; ${describe(entry)} ${exposure.detail}`;
      const login = ui.loginDisabled ? `; ${ui.loginDisabled.reason}` : '';
      const guarded = auth ? `; ${auth} authenticates on the way` : '';
      yield {
        resource: entry,
        path: reach.entryPath,
        severity: exposureSeverity(exposure, ui.loginDisabled !== null && auth === null),
        message: `${SENSITIVE_UI_NAMES[ui.kind]} ${reachWording(exposure)}: ${how}${login}${guarded}`,
        related: [
          ...hopsAsRelated(reach),
          ...(ui.loginDisabled && ui.container ? [{ resource: ui.container.pod.resource, path: ui.loginDisabled.path, note: ui.loginDisabled.reason }] : []),
        ],
        key: ui.kind,
      };
    }
  },
  attackPath: ['entry', 'dashboard'],
  probe: 'note',
  remediation: [serviceExposureKit],
});

/** Authentication someone must pass on this path: at the entry, or at an Istio gateway it goes through. */
function authOnPath(inventory: Inventory, reach: Reach): string | null {
  if (reach.entryAuth) return reach.entryAuth.mechanism;
  for (const passage of reach.passages) {
    const auth = gatewayAuth(inventory, passage.workload);
    if (auth.anonymous.length === 0 && auth.complete[0]) return auth.complete[0].text;
  }
  return null;
}

export default check;
