import { describeResource as describe } from '../../src/core/object-ref.js';
import { defineBuiltinCheck } from '../../src/catalogue/check-unit.js';
import { serviceExposureKit } from '../../src/remediate/exposure.js';
import type { Resource, Severity } from '../../src/core/types.js';
import { externalReaches, hopsAsRelated, pathText, type Reach } from '../../src/kube/entry-graph.js';
import { unionOfKinds } from '../../src/core/kinds.js';
import { kubeflowIngresses } from '../../src/kube/kubeflow-ingress.js';
import { PATH_AUTH_NEEDS, pathAuth, pathAuthText } from '../../src/kube/path-auth.js';
import { exposureSeverity, reachWording, type Reachability } from '../../src/kube/reachability.js';
import { AUTH_SECRETS } from '../../src/kube/secrets.js';
import { authSecretReferences } from '../../src/kube/secret-references.js';
import { hubSecrets } from '../../src/kube/jupyterhub.js';
import { sensitiveUiName, sensitiveUiOf, type SensitiveUi } from '../../src/kube/sensitive-uis.js';


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
    needs: unionOfKinds(PATH_AUTH_NEEDS, ['rbac.authorization.k8s.io/ClusterRoleBinding']),
    namedSecrets: [...AUTH_SECRETS],
  },
  secretsToRead: (inventory) => [...authSecretReferences(inventory), ...hubSecrets(inventory).map((secret) => ({ ...secret, optional: true }))],
  *run(inventory) {
    const kubeflowGateways = new Set<Resource>(kubeflowIngresses(inventory).map((k) => k.gateway));
    const best = new Map<string, { reach: Reach; ui: SensitiveUi; auth: string | null }>();
    for (const reach of externalReaches(inventory)) {
      const ui = sensitiveUiOf(inventory, reach.target.name, reach.target.pods);
      if (!ui) continue;
      // Notebooks and TensorBoards that Kubeflow runs for its users are routed through Kubeflow's gateway
      // and its authentication, which the Kubeflow checks judge.
      if (ui.kubeflowManaged && reach.passages.some((p) => kubeflowGateways.has(p.gateway))) continue;
      const guard = pathAuth(inventory, reach);
      const auth = guard && !guard.anyAccount ? pathAuthText(guard) : null;
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
      const guarded = auth ? `; ${auth}` : '';
      yield {
        resource: entry,
        path: reach.entryPath,
        severity: uiSeverity(exposure, ui.loginDisabled !== null && auth === null),
        message: `${sensitiveUiName(ui)} ${reachWording(exposure)}: ${how}${login}${guarded}`,
        related: [
          ...hopsAsRelated(reach),
          ...(ui.loginDisabled && ui.container ? [{ resource: ui.loginDisabled.resource ?? ui.container.pod.resource, path: ui.loginDisabled.path, note: ui.loginDisabled.reason }] : []),
        ],
        key: ui.kind,
      };
    }
  },
  attackPath: ['entry', 'dashboard'],
  probe: 'note',
  remediation: [serviceExposureKit],
});

/**
 * A UI that lets anyone in is critical wherever the entry is not internal: a public load balancer, but
 * also a NodePort (whose nodes may have public addresses) or an Ingress; a few public networks, medium;
 * private networks only, info.
 */
function uiSeverity(exposure: Reachability, open: boolean): Severity {
  if (exposure.reach === 'public' && open) return 'critical';
  return exposureSeverity(exposure, false);
}

export default check;
