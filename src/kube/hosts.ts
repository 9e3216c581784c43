// Istio names Services by DNS host: `name`, `name.ns`, `name.ns.svc`, `name.ns.svc.<cluster domain>`.
// Raw kustomize sources hold unrendered parts (`$(kfp-namespace)`, `CD_NAMESPACE_PLACEHOLDER`): a part
// that is a placeholder is unknown, never a name to look up.

const PLACEHOLDER = /\$\([^)$]*\)|\$\{[^}$]*\}|_PLACEHOLDER\b|\{\{/;

/** An unrendered kustomize var, shell-style variable, Kubeflow `*_PLACEHOLDER` or template action. */
export function isPlaceholder(text: string): boolean {
  return PLACEHOLDER.test(text);
}

export interface ServiceHost {
  name: string;
  /** `null` when the host's namespace part is an unrendered placeholder: any namespace may be meant. */
  namespace: string | null;
}

/**
 * The Service a destination host names, relative to the namespace of the object that names it (Istio
 * resolves short names in the VirtualService's namespace). `null` for hosts outside the cluster
 * (`www.googleapis.com`), wildcards and hosts whose Service name is itself a placeholder.
 */
export function resolveServiceHost(host: string, defaultNamespace: string): ServiceHost | null {
  const text = host.trim().replace(/\.$/, '');
  if (text === '' || text.includes('*') || text.includes('/') || text.includes(':')) return null;
  const labels = text.split('.');
  const name = labels[0]!;
  if (name === '' || isPlaceholder(name)) return null;
  if (labels.length === 1) return { name, namespace: defaultNamespace };
  const namespacePart = labels[1]!;
  // `name.ns` or `name.ns.svc[.domain]`; `api.example.com` is outside. (`example.com` reads as a Service
  // `example` in namespace `com`, which a lookup will not find.)
  if (labels.length > 2 && labels[2] !== 'svc' && !isPlaceholder(labels[2]!)) return null;
  return { name, namespace: isPlaceholder(namespacePart) ? null : namespacePart };
}
