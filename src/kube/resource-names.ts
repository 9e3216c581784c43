import { isClusterScoped, parseKindName, qualifiedKind } from '../core/kinds.js';
import type { KindName } from '../core/types.js';

/** A kind as RBAC and URLs name it: API group and plural resource. */
export interface ResourceName {
  group: string;
  kind: string;
  /** Plural resource name, as in `/apis/apps/v1/daemonsets` and in RBAC rules. */
  resource: string;
  namespaced: boolean;
}

// Built-in kinds, which checks may name bare (`Service`, `Deployment`). A bare name means this kind, never
// a custom kind of the same name (knative's `Service`): checks qualify custom kinds.
const BUILTIN: ReadonlyArray<[group: string, kind: string, resource?: string]> = [
  ['', 'Pod'],
  ['', 'Service'],
  ['', 'Node'],
  ['', 'Namespace'],
  ['', 'ConfigMap'],
  ['', 'Secret'],
  ['', 'ServiceAccount'],
  ['', 'Endpoints', 'endpoints'],
  ['', 'ResourceQuota'],
  ['', 'LimitRange'],
  ['', 'PersistentVolume'],
  ['', 'PersistentVolumeClaim'],
  ['', 'ReplicationController'],
  ['', 'PodTemplate'],
  ['', 'Event'],
  ['apps', 'Deployment'],
  ['apps', 'StatefulSet'],
  ['apps', 'DaemonSet'],
  ['apps', 'ReplicaSet'],
  ['apps', 'ControllerRevision'],
  ['batch', 'Job'],
  ['batch', 'CronJob'],
  ['networking.k8s.io', 'Ingress'],
  ['networking.k8s.io', 'IngressClass'],
  ['networking.k8s.io', 'NetworkPolicy'],
  ['rbac.authorization.k8s.io', 'Role'],
  ['rbac.authorization.k8s.io', 'RoleBinding'],
  ['rbac.authorization.k8s.io', 'ClusterRole'],
  ['rbac.authorization.k8s.io', 'ClusterRoleBinding'],
  ['apiextensions.k8s.io', 'CustomResourceDefinition'],
  ['admissionregistration.k8s.io', 'ValidatingWebhookConfiguration'],
  ['admissionregistration.k8s.io', 'MutatingWebhookConfiguration'],
  ['admissionregistration.k8s.io', 'ValidatingAdmissionPolicy'],
  ['admissionregistration.k8s.io', 'ValidatingAdmissionPolicyBinding'],
  ['policy', 'PodDisruptionBudget'],
  ['storage.k8s.io', 'StorageClass'],
  ['scheduling.k8s.io', 'PriorityClass'],
  ['node.k8s.io', 'RuntimeClass'],
  ['discovery.k8s.io', 'EndpointSlice'],
  ['autoscaling', 'HorizontalPodAutoscaler'],
];

// Custom kinds whose plural is not the default rule's, as their CRDs declare them.
const IRREGULAR_PLURALS: Readonly<Record<string, string>> = {
  'monitoring.googleapis.com/Rules': 'rules',
  'elbv2.k8s.aws/IngressClassParams': 'ingressclassparams',
  'monitoring.googleapis.com/ClusterRules': 'clusterrules',
  'monitoring.googleapis.com/GlobalRules': 'globalrules',
};

const builtinByKind = new Map<string, ResourceName>();
for (const [group, kind, resource] of BUILTIN) {
  builtinByKind.set(kind, { group, kind, resource: resource ?? defaultPlural(kind), namespaced: !isClusterScoped(kind) });
}

/** The built-in kind a bare name stands for, if any. */
export function builtinKind(kind: string): ResourceName | null {
  return builtinByKind.get(kind) ?? null;
}

/**
 * The RBAC name of a kind as checks spell it, without asking a cluster (for `kfscan rbac`). `null` for a
 * bare name that is not a built-in kind: its group is unknown until discovery.
 */
export function resourceNameOf(name: KindName): ResourceName | null {
  const { group, kind } = parseKindName(name);
  if (group === null) return builtinKind(kind);
  const builtin = builtinKind(kind);
  if (builtin && builtin.group === group) return builtin;
  return {
    group,
    kind,
    resource: IRREGULAR_PLURALS[qualifiedKind(group, kind)] ?? defaultPlural(kind),
    namespaced: !isClusterScoped(kind),
  };
}

/** The plural the API server derives when a CRD does not say otherwise: lower case, English -s/-es/-ies. */
export function defaultPlural(kind: string): string {
  const lower = kind.toLowerCase();
  if (/[^aeiou]y$/.test(lower)) return `${lower.slice(0, -1)}ies`;
  if (/(s|x|z|ch|sh)$/.test(lower)) return `${lower}es`;
  return `${lower}s`;
}

/** `daemonsets.apps`, `pods`: how kubectl and RBAC error messages name a resource. */
export function displayResource(group: string, resource: string): string {
  return group === '' ? resource : `${resource}.${group}`;
}
