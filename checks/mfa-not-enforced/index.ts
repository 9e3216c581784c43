import { describeResource as describe } from '../../src/core/object-ref.js';
import { defineBuiltinCheck } from '../../src/catalogue/check-unit.js';
import type { Draft, FieldPath, Resource } from '../../src/core/types.js';
import { dexInstances, dexSourceName, type DexInstance } from '../../src/kube/dex.js';
import { GATEWAY_AUTH_NEEDS } from '../../src/kube/exposure-needs.js';
import { dexMethods, dexMfaCoverage, kubeflowLogin } from '../../src/kube/identity.js';
import { unionOfKinds } from '../../src/core/kinds.js';
import { KUBEFLOW_PRESENCE_KINDS, kubeflowPresent } from '../../src/kube/ml-platform.js';
import { AUTH_SECRETS } from '../../src/kube/secrets.js';
import { authSecretReferences } from '../../src/kube/secret-references.js';

const check = defineBuiltinCheck({
  meta: {
    id: 'mfa-not-enforced',
    title: 'Kubeflow login cannot enforce multi-factor authentication',
    category: 'mfa',
    severity: 'high',
    description:
      "The way users log in to Kubeflow cannot require a second factor: Dex's local password database, LDAP, Keystone or Atlassian Crowd connectors (passwords typed into Dex), Dex's test connectors, basic auth at the ingress, or no identity provider at all. Logins federated to an upstream IdP (OIDC, SAML, Google, GitHub, Microsoft, Cognito, IAP) are reported as info: MFA there can only be verified in that IdP.",
    rationale:
      'A dashboard reachable from outside with password-only login falls to guessed, reused or default passwords; MFA is the control (MS-M9001) that stops a stolen password from starting mining pipelines.',
    remediation:
      "Log in through an identity provider that enforces MFA: configure a Dex connector (oidc, saml, google, microsoft, github with orgs) to your IdP and set enablePasswordDB: false, or point oauth2-proxy at that IdP directly; then require MFA in the IdP's policy for the Kubeflow client.",
    tags: ['MS-M9001'],
    needs: unionOfKinds(GATEWAY_AUTH_NEEDS, KUBEFLOW_PRESENCE_KINDS),
    namedSecrets: [...AUTH_SECRETS],
    absence: true,
  },
  secretsToRead: authSecretReferences,
  *run(inventory) {
    const dex = dexInstances(inventory);
    if (!kubeflowPresent(inventory) && dex.instances.length === 0 && dex.unreadable.length === 0) return;
    const login = kubeflowLogin(inventory);
    for (const reason of new Set(login.unreadable)) yield { undecided: true, reason: `${reason}: the Kubeflow login path could not be followed` };

    for (const ingress of login.unauthenticated) {
      if (!ingress.podsKnown && !inventory.wholeCluster) continue;
      yield {
        resource: ingress.gateway,
        path: ingress.gateway.group === 'networking.istio.io' ? ['spec', 'selector'] : ['spec', 'gatewayClassName'],
        message: `No identity provider in front of Kubeflow's ${describe(ingress.gateway)}: nobody logs in, so no second factor can be required`,
      };
    }

    const seenDex = new Set<DexInstance>();
    const seenFederated = new Set<string>();
    for (const path of login.paths) {
      if (path.kind === 'dex') {
        if (seenDex.has(path.dex)) continue;
        seenDex.add(path.dex);
        yield* dexFindings(path.dex, path.via);
      } else if (path.kind === 'shared-password') {
        yield {
          resource: path.resource,
          path: path.path,
          message: `Kubeflow's login is ${path.what}: one shared password, which cannot require a second factor`,
        };
      } else {
        const id = `${path.resource.ref.kind}/${path.resource.ref.namespace}/${path.resource.ref.name}:${path.what}`;
        if (seenFederated.has(id)) continue;
        seenFederated.add(id);
        yield upstream(path.resource, path.path, `Kubeflow's login goes through ${path.what}`);
      }
    }
  },
  attackPath: ['auth'],
});

function* dexFindings(dex: DexInstance, via: string): Generator<Draft> {
  const coverage = dexMfaCoverage(dex);
  const covered = (type: string) => coverage === null || coverage.includes(type);
  const where = `Dex (${dexSourceName(dex)}${via === 'Dex' ? '' : `, behind ${via}`})`;
  const methods = dexMethods(dex);
  let local = false;
  for (const method of methods) {
    if (method.kind === 'federated') continue;
    const type = method.kind === 'local' && method.what.startsWith('its local') ? 'local' : method.what.split(' ')[0]!;
    if (covered(type)) continue;
    local = true;
    yield {
      resource: dex.source.resource,
      path: method.path,
      message:
        method.kind === 'test'
          ? `${where} accepts logins through ${method.what}: anyone can log in, and no second factor can be required`
          : `${where} lets users log in with ${method.what}, which cannot require a second factor`,
      key: method.what,
    };
  }
  const federated = methods.filter((m) => m.kind === 'federated');
  if (!local && federated[0]) {
    yield upstream(dex.source.resource, federated[0].path, `${where} federates login to ${federated.map((m) => m.what).join(', ')}`);
  }
}

function upstream(resource: Resource, path: FieldPath, what: string): Draft {
  return { resource, path, severity: 'info', message: `${what}: verify that the upstream identity provider requires MFA (the cluster cannot show it)`, key: `upstream:${what}` };
}

export default check;
