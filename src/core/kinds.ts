import type { KindName } from './types.js';

// A cluster has a few dozen API versions and hundreds of thousands of objects: one group string each.
const groups = new Map<string, string>();

/** `apps/v1` -> `apps`, `v1` -> `''` (the core group). */
export function groupOf(apiVersion: string): string {
  let group = groups.get(apiVersion);
  if (group === undefined) {
    const slash = apiVersion.indexOf('/');
    group = slash === -1 ? '' : apiVersion.slice(0, slash);
    if (groups.size < 1000) groups.set(apiVersion, group);
  }
  return group;
}

/** Splits `networking.istio.io/Gateway` into group and kind; a bare kind has no group constraint. */
export function parseKindName(name: KindName): { group: string | null; kind: string } {
  const slash = name.lastIndexOf('/');
  if (slash === -1) return { group: null, kind: name };
  return { group: name.slice(0, slash), kind: name.slice(slash + 1) };
}

export function qualifiedKind(group: string, kind: string): string {
  return group === '' ? kind : `${group}/${kind}`;
}

// Kinds without a namespace. Offline, a namespaced object without metadata.namespace lands in the
// kustomization's namespace or `default`; these never do.
const CLUSTER_SCOPED = new Set([
  'Namespace',
  'Node',
  'PersistentVolume',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'StorageClass',
  'PriorityClass',
  'IngressClass',
  'RuntimeClass',
  'APIService',
  'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding',
  'CSIDriver',
  'CSINode',
  'VolumeAttachment',
  'CertificateSigningRequest',
  'ComponentStatus',
  'FlowSchema',
  'PriorityLevelConfiguration',
  'SelfSubjectAccessReview',
  'SelfSubjectRulesReview',
  'TokenReview',
  'SubjectAccessReview',
  // Custom resources that are cluster-scoped in their CRDs.
  'Profile',
  'ClusterWorkflowTemplate',
  'ClusterServingRuntime',
  'ClusterStorageContainer',
  'ClusterTrainingRuntime',
  'GatewayClass',
  'ClusterRules',
  'GlobalRules',
  'ClusterPodMonitoring',
  'ClusterNodeMonitoring',
  'CiliumClusterwideNetworkPolicy',
  'GlobalNetworkPolicy',
  'GlobalNetworkSet',
  'ClusterPolicy',
  'ClusterIssuer',
  'ConstraintTemplate',
]);

export function isClusterScoped(kind: string): boolean {
  return CLUSTER_SCOPED.has(kind);
}

// The built-in API groups have a closed set of kinds: anything else there is a typo that the API server
// would reject (`kind: Deploymnet`). Custom groups are open; their kinds are never questioned.
const BUILTIN_KINDS: ReadonlyMap<string, ReadonlySet<string>> = new Map(
  Object.entries({
    '': ['Binding', 'ComponentStatus', 'ConfigMap', 'Endpoints', 'Event', 'LimitRange', 'Namespace', 'Node', 'PersistentVolume', 'PersistentVolumeClaim', 'Pod', 'PodTemplate', 'ReplicationController', 'ResourceQuota', 'Secret', 'Service', 'ServiceAccount', 'List'],
    apps: ['ControllerRevision', 'DaemonSet', 'Deployment', 'ReplicaSet', 'StatefulSet'],
    batch: ['CronJob', 'Job'],
    'networking.k8s.io': ['Ingress', 'IngressClass', 'NetworkPolicy', 'IPAddress', 'ServiceCIDR'],
    'rbac.authorization.k8s.io': ['ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'],
    policy: ['PodDisruptionBudget', 'PodSecurityPolicy', 'Eviction'],
    autoscaling: ['HorizontalPodAutoscaler', 'Scale'],
    'storage.k8s.io': ['CSIDriver', 'CSINode', 'CSIStorageCapacity', 'StorageClass', 'VolumeAttachment', 'VolumeAttributesClass'],
    'apiextensions.k8s.io': ['CustomResourceDefinition'],
    'admissionregistration.k8s.io': ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding', 'MutatingAdmissionPolicy', 'MutatingAdmissionPolicyBinding'],
    'scheduling.k8s.io': ['PriorityClass'],
    'coordination.k8s.io': ['Lease', 'LeaseCandidate'],
    'discovery.k8s.io': ['EndpointSlice'],
    'certificates.k8s.io': ['CertificateSigningRequest', 'ClusterTrustBundle'],
    'node.k8s.io': ['RuntimeClass'],
    'events.k8s.io': ['Event'],
    'apiregistration.k8s.io': ['APIService'],
  }).map(([group, kinds]) => [group, new Set(kinds)]),
);

/** A kind the built-in group it claims does not have; `false` for custom groups, which are open. */
export function isUnknownBuiltinKind(group: string, kind: string): boolean {
  const kinds = BUILTIN_KINDS.get(group);
  return kinds !== undefined && !kinds.has(kind) && !kind.endsWith('List');
}

/** The built-in API group of a kind (`''` for core, `apps` for Deployment), or `null` for kinds no built-in group has. */
export function builtinGroupOf(kind: string): string | null {
  for (const [group, kinds] of BUILTIN_KINDS) if (kinds.has(kind)) return group;
  return null;
}

/** The kinds of several lists, each once, in the order first named: a check's reads from its helpers' reads. */
export function unionOfKinds(...lists: ReadonlyArray<readonly KindName[]>): KindName[] {
  return [...new Set(lists.flat())];
}
