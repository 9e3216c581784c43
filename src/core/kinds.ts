import type { KindName } from './types.js';

/** `apps/v1` -> `apps`, `v1` -> `''` (the core group). */
export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash === -1 ? '' : apiVersion.slice(0, slash);
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
