// The cluster's Kubernetes version for the report's provenance: GET /version, which every API server
// answers (system:public-info-viewer lets anyone read it). An answer that is not what a real server sends
// (a hostile or broken server) gives no version rather than text of its choosing.
import type { Inventory } from '../core/types.js';
import type { ApiClient } from './api-client.js';

const GIT_VERSION = /^v?\d{1,3}\.\d{1,3}(?:\.\d{1,4})?[0-9A-Za-z.+_-]{0,60}$/;

/** `gitVersion` of GET /version, or `null` when the server does not answer it plausibly. */
export async function readServerVersion(client: ApiClient): Promise<string | null> {
  try {
    const answer = await client.get('/version');
    const version = typeof answer === 'object' && answer !== null ? (answer as Record<string, unknown>)['gitVersion'] : undefined;
    return typeof version === 'string' && GIT_VERSION.test(version) ? version : null;
  } catch {
    return null;
  }
}

// Managed platforms mark their builds in the version string, and their nodes in labels and provider ids.
const BY_VERSION: ReadonlyArray<[RegExp, string]> = [
  [/-eks-/, 'Amazon EKS'],
  [/-gke\./, 'Google GKE'],
  [/\+k3s/, 'k3s'],
  [/\+rke2/, 'RKE2'],
];
const BY_NODE_LABEL: ReadonlyArray<[string, string]> = [
  ['eks.amazonaws.com/nodegroup', 'Amazon EKS'],
  ['cloud.google.com/gke-nodepool', 'Google GKE'],
  ['kubernetes.azure.com/cluster', 'Azure AKS'],
  ['node.openshift.io/os_id', 'OpenShift'],
];
const BY_PROVIDER: ReadonlyArray<[string, string]> = [
  ['aws://', 'AWS'],
  ['gce://', 'Google Cloud'],
  ['azure://', 'Microsoft Azure'],
];

/** The platform the version string or the Nodes (when the scan read them) show; `null` when none does. */
export function platformOf(version: string | null, inventory: Inventory | null): string | null {
  for (const [pattern, name] of BY_VERSION) if (version !== null && pattern.test(version)) return name;
  const nodes = inventory?.ofKind('Node') ?? [];
  for (const [label, name] of BY_NODE_LABEL) if (nodes.some((node) => label in node.labels)) return name;
  const providers = nodes.map((node) => (node.obj['spec'] as { providerID?: unknown } | undefined)?.providerID).filter((id): id is string => typeof id === 'string');
  for (const [prefix, name] of BY_PROVIDER) if (providers.some((id) => id.startsWith(prefix))) return name;
  return null;
}
