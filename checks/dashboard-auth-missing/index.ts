import { describeResource as describe } from '../../src/core/object-ref.js';
import { defineBuiltinCheck } from '../../src/catalogue/check-unit.js';
import type { FieldPath, Resource, Severity } from '../../src/core/types.js';
import { externalReaches, hopsAsRelated, pathText, type Reach } from '../../src/kube/entry-graph.js';
import { GATEWAY_AUTH_NEEDS } from '../../src/kube/exposure-needs.js';
import { gatewayAuth } from '../../src/kube/gateway-auth.js';
import type { GatewayWorkload } from '../../src/kube/istio-gateways.js';
import { kubeflowIngresses } from '../../src/kube/kubeflow-ingress.js';
import { KUBEFLOW_UI_NAMES, kubeflowUiOf } from '../../src/kube/kubeflow-uis.js';
import { unionOfKinds } from '../../src/core/kinds.js';
import { gatewayPathAuth, PATH_AUTH_NEEDS } from '../../src/kube/path-auth.js';
import { INSIDE_ONLY, reachWording } from '../../src/kube/reachability.js';
import { AUTH_SECRETS } from '../../src/kube/secrets.js';
import { authSecretReferences } from '../../src/kube/secret-references.js';
import { KUBEFLOW_PRESENCE_KINDS, kubeflowPresent } from '../../src/kube/ml-platform.js';


const check = defineBuiltinCheck({
  meta: {
    id: 'dashboard-auth-missing',
    title: 'No authentication in front of the Kubeflow dashboard',
    category: 'auth',
    severity: 'critical',
    description:
      "Kubeflow is installed and nothing authenticates requests on its ingress path: no ext_authz EnvoyFilter (oidc-authservice), no CUSTOM AuthorizationPolicy whose provider the mesh config registers (oauth2-proxy), no authentication at the Ingress or load balancer; or the anonymous-user EnvoyFilter makes everyone the same user; or an entry point reaches the dashboard or Pipelines directly, bypassing the gateway. Kubeflow's shipped ALLOW-all gateway policy is not counted either way.",
    rationale:
      'The 2021 attackers needed no password: the exposed dashboards had no authentication (or the anonymous-user filter), so anyone who found them could create pipelines. The dashboard trusts a user-id header that only the authentication in front of it should set.',
    remediation:
      "Install Kubeflow's authentication (oauth2-proxy with the CUSTOM ext-authz policy and its mesh-config provider from 1.9, or oidc-authservice before), remove the add-user-filter EnvoyFilter, and reach Kubeflow only through the ingress gateway: never expose centraldashboard, ml-pipeline-ui or ml-pipeline directly.",
    tags: ['MS-TA9005', 'MS-M9009'],
    needs: unionOfKinds(GATEWAY_AUTH_NEEDS, PATH_AUTH_NEEDS, KUBEFLOW_PRESENCE_KINDS),
    namedSecrets: [...AUTH_SECRETS],
    absence: true,
  },
  secretsToRead: authSecretReferences,
  *run(inventory) {
    if (!kubeflowPresent(inventory)) return;
    const reaches = externalReaches(inventory);
    const uiReaches = reaches.filter((r) => kubeflowUiOf(r.target.name, r.target.pods) !== null);
    const seen = new Set<string>();

    for (const ingress of kubeflowIngresses(inventory)) {
      // Offline, a gateway whose pods the input does not hold is someone else's file: do not judge it.
      if (!ingress.podsKnown && !inventory.wholeCluster) continue;
      const id = `${ingress.gateway.ref.namespace}/${ingress.gateway.ref.name}:${JSON.stringify(ingress.workload.members)}`;
      if (seen.has(id)) continue;
      seen.add(id);

      const auth = gatewayAuth(inventory, ingress.workload);
      // Entry points to the gateway pods: through them to a Kubeflow route, or to their Service at all.
      const external = reaches.filter(
        (r) =>
          (ingress.workload.service !== null && r.target.service === ingress.workload.service && r.passages.length === 0) ||
          r.passages.some((p) => p.gateway === ingress.gateway && sameWorkload(p.workload, ingress.workload) && kubeflowUiOf(r.target.name, r.target.pods) !== null),
      );
      const open = external.filter((r) => r.entryAuth === null);
      const gatewayText = `Kubeflow's ${describe(ingress.gateway)}`;
      if (auth.anonymous.length === 0 && auth.complete.length > 0) {
        // Authentication that anyone can pass is no better than none, but it is there: high, naming it.
        const open = gatewayPathAuth(inventory, ingress.workload)?.anyAccount;
        if (open && external.every((r) => r.entryAuth === null)) {
          const { reachText, related } = exposureOf(external);
          yield {
            resource: open.resource,
            path: open.path,
            severity: 'high',
            message: `${auth.complete[0]!.text} authenticates requests to ${gatewayText}, but ${open.text}: anyone can pass it${reachText}`,
            related,
          };
        }
        continue;
      }
      if (auth.anonymous.length === 0 && auth.partial.length === 0 && external.length > 0 && open.length === 0) continue;

      const { severity, reachText, related } = exposureOf(open);
      const anonymous = auth.anonymous[0];
      const partial = auth.partial[0];
      if (anonymous) {
        yield {
          resource: anonymous.resource,
          path: anonymous.path,
          severity,
          message: `${anonymous.text}: no authentication in front of ${gatewayText}, everyone is that user${reachText}`,
          related,
        };
      } else if (partial) {
        yield {
          resource: partial.resource,
          path: partial.path,
          severity,
          message: `${partial.text} leaves requests to ${gatewayText} unauthenticated: ${partial.gap}${reachText}`,
          related,
        };
      } else {
        const unregistered = auth.unregistered.map((note) => `; ${note.text}`).join('');
        yield {
          resource: ingress.gateway,
          path: gatewayPath(ingress.gateway),
          severity,
          message:
            `No authentication in front of ${gatewayText}: no ext_authz EnvoyFilter (oidc-authservice) and no CUSTOM AuthorizationPolicy with a registered provider (oauth2-proxy) applies to ${workloadText(ingress.workload)}` +
            `${unregistered}${reachText}`,
          related: [...auth.unregistered.map((note) => ({ resource: note.resource, path: note.path, note: 'CUSTOM policy without a registered provider' })), ...related],
        };
      }
    }

    // Paths that never pass an Istio gateway: whatever authenticates Kubeflow there does not apply.
    const bypasses = new Map<Resource, Reach>();
    for (const reach of uiReaches) {
      if (reach.passages.length > 0 || reach.entryAuth !== null) continue;
      const current = bypasses.get(reach.entry.resource);
      if (!current || uiRank(reach) < uiRank(current)) bypasses.set(reach.entry.resource, reach);
    }
    for (const [entry, reach] of bypasses) {
      const ui = KUBEFLOW_UI_NAMES[kubeflowUiOf(reach.target.name, reach.target.pods)!];
      yield {
        resource: entry,
        path: reach.entryPath,
        severity: isExposed(reach) ? 'critical' : 'high',
        message:
          `${ui} is reached without passing the Istio ingress gateway, so no Kubeflow authentication applies: ` +
          (reach.hops.length === 1 ? `${describe(entry)} ${reach.entry.exposure.detail}` : `${pathText(reach)}; ${describe(entry)} ${reach.entry.exposure.detail}`),
        related: hopsAsRelated(reach),
      };
    }
  },
  attackPath: ['auth'],
  probe: 'auth',
});

function isExposed(reach: Reach): boolean {
  return reach.entry.exposure.reach === 'public' && reach.entry.exposure.confirmed;
}

function uiRank(reach: Reach): number {
  return ['dashboard', 'pipelines-ui', 'pipelines-api', 'notebooks-ui'].indexOf(kubeflowUiOf(reach.target.name, reach.target.pods) ?? '');
}

/** Critical when an unauthenticated entry certainly reaches the gateway from the internet. */
function exposureOf(open: readonly Reach[]): { severity: Severity; reachText: string; related: ReturnType<typeof hopsAsRelated> } {
  const best = [...open].sort((a, b) => Number(isExposed(b)) - Number(isExposed(a)) || a.hops.length - b.hops.length)[0];
  if (!best) return { severity: 'high', reachText: `; ${INSIDE_ONLY}`, related: [] };
  return {
    severity: isExposed(best) ? 'critical' : 'high',
    reachText: `; ${reachWording(best.entry.exposure)}: ${pathText(best)}`,
    related: hopsAsRelated(best),
  };
}

/**
 * The same gateway pods, as far as the input tells: one workload's labels hold the other's (a Service's
 * selector stands for pods the input does not hold, such as a managed mesh's gateway).
 */
function sameWorkload(a: GatewayWorkload, b: GatewayWorkload): boolean {
  if (a === b) return true;
  if (a.gatewayApi !== b.gatewayApi) return false;
  const within = (x: Readonly<Record<string, string>>, y: Readonly<Record<string, string>>) => Object.entries(x).every(([k, v]) => y[k] === v);
  return a.members.some((m) => b.members.some((n) => m.namespace === n.namespace && (within(m.labels, n.labels) || within(n.labels, m.labels))));
}

function gatewayPath(gateway: Resource): FieldPath {
  return gateway.group === 'networking.istio.io' ? ['spec', 'selector'] : ['spec', 'gatewayClassName'];
}

function workloadText(workload: GatewayWorkload): string {
  if (workload.service) return `its ingress gateway pods (${describe(workload.service)})`;
  if (workload.pods[0]) return `its ingress gateway pods (${describe(workload.pods[0].resource)})`;
  const labels = Object.entries(workload.members[0]?.labels ?? {}).map(([k, v]) => `${k}=${v}`).join(',');
  return `its ingress gateway pods (labels ${labels})`;
}

export default check;
