import { asArray, asObject, asString } from '../core/json.js';
import type { ContainerSite, FieldPath, Inventory, PodTemplateSite } from '../core/types.js';
import { commandLine, flagValues } from './container-env.js';
import { parseImageRef, type ImageRef } from './image-ref.js';
import { mlImageFamily } from './ml-images.js';
import { followedOnLine } from '../core/text-scan.js';

export type SensitiveUiKind = 'kubernetes-dashboard' | 'argo-server' | 'jupyter' | 'tensorboard' | 'mlflow' | 'ray-dashboard';

export const SENSITIVE_UI_NAMES: Readonly<Record<SensitiveUiKind, string>> = {
  'kubernetes-dashboard': 'Kubernetes Dashboard',
  'argo-server': 'Argo Workflows server',
  jupyter: 'Jupyter notebook server',
  tensorboard: 'TensorBoard',
  mlflow: 'MLflow tracking server',
  'ray-dashboard': 'Ray dashboard',
};

export interface SensitiveUi {
  kind: SensitiveUiKind;
  container: ContainerSite | null;
  /** Why anyone who reaches it is in without logging in, with the field that shows it; null when a login is required or unknown. */
  loginDisabled: { reason: string; path: FieldPath } | null;
  /** A notebook or TensorBoard that Kubeflow runs for a user, behind Kubeflow's own authentication. */
  kubeflowManaged: boolean;
}

/** Which admin or ML UI a Service (its pods' containers, or failing that its name) serves. */
export function sensitiveUiOf(inventory: Inventory, serviceName: string, pods: readonly PodTemplateSite[]): SensitiveUi | null {
  for (const pod of pods) {
    for (const container of pod.containers) {
      const found = classify(inventory, container);
      if (found) return found;
    }
  }
  const byName = BY_SERVICE_NAME.find(([pattern]) => pattern.test(serviceName));
  return byName ? { kind: byName[1], container: null, loginDisabled: null, kubeflowManaged: false } : null;
}

const BY_SERVICE_NAME: ReadonlyArray<[RegExp, SensitiveUiKind]> = [
  [/^kubernetes-dashboard(?:-kong-proxy|-web)?$/, 'kubernetes-dashboard'],
  [/^argo-server$/, 'argo-server'],
  [/^mlflow(?:-server|-tracking)?$/, 'mlflow'],
  [/-head-svc$/, 'ray-dashboard'],
  [/^tensorboard$/, 'tensorboard'],
];

function imagePath(ref: ImageRef | null): string {
  return ref ? `${ref.registry}/${ref.repository}` : '';
}

function classify(inventory: Inventory, container: ContainerSite): SensitiveUi | null {
  if (container.type !== 'container') return null;
  const image = typeof container.container['image'] === 'string' ? parseImageRef(container.container['image']) : null;
  const path = imagePath(image);
  const words = commandLine(container);
  const text = words.join(' ');
  const ui = (kind: SensitiveUiKind, loginDisabled: SensitiveUi['loginDisabled'], kubeflowManaged = false): SensitiveUi => ({
    kind,
    container,
    loginDisabled,
    kubeflowManaged,
  });

  if (/(?:^|\/)(?:kubernetesui\/dashboard(?:-web|-api)?|kubernetes-dashboard-amd64)$/.test(path)) {
    return ui('kubernetes-dashboard', dashboardLogin(inventory, container, image, words));
  }
  if (/(?:^|\/)argoproj\/argocli$/.test(path) && words.includes('server')) return ui('argo-server', argoLogin(container, image, words));
  const family = image ? mlImageFamily(image) : null;
  const managed = isKubeflowManaged(container.pod);
  if (/(?:^|\/)tensorboard$/.test(words[0] ?? '') || followedOnLine(text, /\btensorboard(?:\.main)?\b/, '--logdir') || /(?:^|\/)tensorflow\/tensorboard$/.test(path)) {
    // TensorBoard has no login at all, but shows logs rather than running code: exposure, not critical.
    return ui('tensorboard', null, managed);
  }
  if (/(?:^|\/)(?:mlflow\/mlflow|bitnami\/mlflow)$/.test(path) || /\bmlflow\s+(?:server|ui)\b/.test(text)) return ui('mlflow', mlflowLogin(container, words));
  if (family === 'ray' && (container.pod.labels['ray.io/node-type'] === 'head' || followedOnLine(text, /\bray start\b/, '--head'))) {
    return ui('ray-dashboard', { reason: "Ray's dashboard and job API have no login: anyone can submit jobs", path: [...container.path, 'image'] });
  }
  if (family === 'jupyter' || family === 'kubeflow-notebook' || /\b(?:jupyter(?:-|\s+)(?:notebook|lab|server)|start-notebook\.(?:sh|py))\b/.test(text)) {
    return ui('jupyter', jupyterLogin(container, words, family === 'kubeflow-notebook'), managed);
  }
  return null;
}

function isKubeflowManaged(pod: PodTemplateSite): boolean {
  const kind = pod.resource.ref.kind;
  return kind === 'Notebook' || kind === 'Tensorboard' || 'notebook-name' in pod.labels || asArray(pod.resource.obj.metadata.ownerReferences).some((o) => ['Notebook', 'Tensorboard'].includes(asString(asObject(o)?.['kind']) ?? ''));
}

function argsPath(container: ContainerSite): FieldPath {
  return [...container.path, container.container['args'] !== undefined ? 'args' : 'command'];
}

function dashboardLogin(inventory: Inventory, container: ContainerSite, image: ImageRef | null, words: readonly string[]): SensitiveUi['loginDisabled'] {
  const skip = flagValues(words, '--enable-skip-login');
  if (skip.length > 0 && skip.at(-1) !== 'false') return { reason: 'it runs with --enable-skip-login, so anyone can skip the login', path: argsPath(container) };
  if (/kubernetes-dashboard-amd64$/.test(imagePath(image)) || /^v1\./.test(image?.tag ?? '')) {
    return { reason: 'Dashboard 1.x has no login and acts with its own service account', path: [...container.path, 'image'] };
  }
  const account = container.pod.serviceAccountName ?? 'default';
  const admin = inventory.ofKind('ClusterRoleBinding').find((binding) => {
    const role = asObject(binding.obj['roleRef']);
    return (
      role?.['name'] === 'cluster-admin' &&
      asArray(binding.obj['subjects']).some((s) => {
        const subject = asObject(s);
        return subject?.['kind'] === 'ServiceAccount' && subject['name'] === account && (subject['namespace'] ?? container.pod.namespace) === container.pod.namespace;
      })
    );
  });
  if (admin) return { reason: `its service account ${account} is bound to cluster-admin (ClusterRoleBinding ${admin.ref.name})`, path: [...container.pod.path, 'serviceAccountName'] };
  return null;
}

function argoLogin(container: ContainerSite, image: ImageRef | null, words: readonly string[]): SensitiveUi['loginDisabled'] {
  const modes = flagValues(words, '--auth-mode').flatMap((v) => v.split(','));
  if (modes.includes('server')) return { reason: 'it runs with --auth-mode=server: every request acts as the server\'s service account', path: argsPath(container) };
  const major = Number(/^v?(\d+)\./.exec(image?.tag ?? '')?.[1] ?? NaN);
  if (modes.length === 0 && major < 3) {
    return { reason: `Argo Workflows ${image?.tag} defaults to --auth-mode=server (client became the default in v3.0)`, path: [...container.path, 'image'] };
  }
  return null;
}

function jupyterLogin(container: ContainerSite, words: readonly string[], kubeflowImage: boolean): SensitiveUi['loginDisabled'] {
  for (const flag of ['--NotebookApp.token', '--ServerApp.token', '--IdentityProvider.token']) {
    const values = flagValues(words, flag);
    if (values.length > 0 && /^(?:''|"")?$/.test(values.at(-1)!)) return { reason: `it runs with ${flag}='' (no token)`, path: argsPath(container) };
  }
  if (kubeflowImage) return { reason: "Kubeflow's notebook images start Jupyter without a token", path: [...container.path, 'image'] };
  return null;
}

function mlflowLogin(container: ContainerSite, words: readonly string[]): SensitiveUi['loginDisabled'] {
  if (flagValues(words, '--app-name').includes('basic-auth')) return null;
  return { reason: 'MLflow runs without its basic-auth app, so it has no login', path: words.length > 0 ? argsPath(container) : [...container.path, 'image'] };
}
