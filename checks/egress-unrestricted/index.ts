import { defineBuiltinCheck } from '../../src/catalogue/check-unit.js';
import { remediation } from './remediation.js';
import type { Draft, FieldPath, Inventory, Resource } from '../../src/core/types.js';
import { EGRESS_POLICY_KINDS, egressVerdict, ingressOnlyPolicies, type EgressVerdict } from '../../src/kube/egress-policy.js';
import { ML_NAMESPACE_KINDS, mlNamespaces, type MlNamespace } from '../../src/kube/ml-namespaces.js';
import { describeResource as describe } from '../../src/core/object-ref.js';
import { unionOfKinds } from '../../src/core/kinds.js';

const VERDICT_RANK: Record<EgressVerdict['state'], number> = { restricted: 0, 'internet-on-ports': 1, open: 2 };

const check = defineBuiltinCheck({
  meta: {
    id: 'egress-unrestricted',
    title: 'ML namespace without egress restriction',
    category: 'hardening',
    severity: 'medium',
    description:
      'A namespace running Kubeflow pipelines or notebooks (the kubeflow namespace, profile namespaces, any namespace with pipeline or notebook pods) has no NetworkPolicy that restricts egress: none selects all its pods with policyType Egress, or one allows every destination (`to` empty or 0.0.0.0/0) on every port. Kubeflow\'s own ingress-only policies do not count; Cilium and Calico policies count where they clearly restrict egress. A policy that allows every public address (0.0.0.0/0, with or without the private ranges excepted) does not restrict egress, even on a few ports only: mining pools are public and listen on 443 too.',
    rationale:
      'Miners talk to their pool over the network (Stratum on ports like 3333 or 4444, or over 443). An egress default-deny in the namespaces where pipelines and notebooks run cuts the miner from its pool and blocks the download-and-run one-liners of the 2021 campaign.',
    remediation:
      'Add a NetworkPolicy with `podSelector: {}` and `policyTypes: [Egress]` to each profile namespace (and kubeflow) that allows only DNS, the in-cluster services the pipelines need, and named external endpoints (object storage, package mirrors); route other traffic through an egress proxy.',
    tags: ['MS-TA9034', 'MS-M9014'],
    needs: unionOfKinds(EGRESS_POLICY_KINDS, ML_NAMESPACE_KINDS),
    absence: true,
  },
  *run(inventory) {
    for (const namespace of mlNamespaces(inventory)) {
      // Any new pod (an attacker's run) and every pipeline/notebook pod already there must be restricted.
      const subjects = [{ labels: {}, site: null }, ...namespace.sites.map((site) => ({ labels: site.labels, site }))];
      let worst: { verdict: EgressVerdict; site: (typeof subjects)[number]['site'] } | null = null;
      for (const subject of subjects) {
        const verdict = egressVerdict(namespace.name, subject.labels, inventory);
        if (!worst || VERDICT_RANK[verdict.state] > VERDICT_RANK[worst.verdict.state]) worst = { verdict, site: subject.site };
      }
      if (!worst || worst.verdict.state === 'restricted') continue;
      yield draft(namespace, worst.verdict, worst.site?.resource ?? null, inventory);
    }
  },
  attackPath: ['workloads'],
  remediation,
});

function draft(namespace: MlNamespace, verdict: Exclude<EgressVerdict, { state: 'restricted' }>, workload: Resource | null, inventory: Inventory): Draft {
  const anchor = namespace.anchor?.resource ?? null;
  const path: FieldPath = namespace.anchor?.path ?? [];
  const who = `Namespace ${namespace.name} (${namespace.roles.join(', ')})`;
  const pods = workload ? `pods of ${describe(workload)}` : 'its pods';
  if (verdict.state === 'internet-on-ports') {
    return {
      resource: anchor,
      path,
      message: `${who} lets ${pods} reach every public address on port ${verdict.ports.join(', ')} (${describe(verdict.policy)}): that does not restrict egress, since mining pools are public addresses and listen on such ports too`,
    };
  }
  if (verdict.policy) {
    return { resource: anchor, path, message: `${who} lets ${pods} connect anywhere: ${describe(verdict.policy)} allows egress to every address on every port` };
  }
  const ingressOnly = ingressOnlyPolicies(namespace.name, inventory);
  const note = ingressOnly.length > 0 ? `; ${ingressOnly.length === 1 ? describe(ingressOnly[0]!) : `its ${ingressOnly.length} NetworkPolicies`} only restrict${ingressOnly.length === 1 ? 's' : ''} ingress` : '';
  return { resource: anchor, path, message: `${who} has no NetworkPolicy restricting egress: ${pods} can connect to any address, mining pools included${note}` };
}

export default check;
