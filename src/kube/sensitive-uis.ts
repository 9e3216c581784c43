import { asArray, asObject, asString, dig } from '../core/json.js';
import type { ContainerSite, FieldPath, Inventory, PodTemplateSite, Resource } from '../core/types.js';
import { commandLine, flagValues, resolveEnv } from './container-env.js';
import { hubLogin, isJupyterHubProxy } from './jupyterhub.js';
import { parseImageRef, type ImageRef } from './image-ref.js';
import { mlImageFamily } from './ml-images.js';
import { followedOnLine } from '../core/text-scan.js';

export type SensitiveUiKind = 'kubernetes-dashboard' | 'argo-server' | 'jupyter' | 'jupyterhub' | 'tensorboard' | 'mlflow' | 'ray-dashboard';

export const SENSITIVE_UI_NAMES: Readonly<Record<SensitiveUiKind, string>> = {
  'kubernetes-dashboard': 'Kubernetes Dashboard',
  'argo-server': 'Argo Workflows server',
  jupyter: 'Jupyter notebook server',
  jupyterhub: 'JupyterHub',
  tensorboard: 'TensorBoard',
  mlflow: 'MLflow tracking server',
  'ray-dashboard': 'Ray dashboard',
};

export interface SensitiveUi {
  kind: SensitiveUiKind;
  container: ContainerSite | null;
  /** Why anyone who reaches it is in without logging in, with the field that shows it; null when a login is required or unknown. */
  loginDisabled: { reason: string; path: FieldPath; resource?: Resource } | null;
  /** A notebook or TensorBoard that Kubeflow runs for a user, behind Kubeflow's own authentication. */
  kubeflowManaged: boolean;
  /** What shows that this UI runs there, for the message: `the image tensorflow/tensorflow:latest-jupyter starts Jupyter by default`. */
  evidence: string | null;
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
  return byName ? { kind: byName[1], container: null, loginDisabled: null, kubeflowManaged: false, evidence: null } : null;
}

/** `Jupyter notebook server (the image ... starts Jupyter by default)`: the UI and what shows it. */
export function sensitiveUiName(ui: SensitiveUi): string {
  return `${SENSITIVE_UI_NAMES[ui.kind]}${ui.evidence ? ` (${ui.evidence})` : ''}`;
}

const BY_SERVICE_NAME: ReadonlyArray<[RegExp, SensitiveUiKind]> = [
  [/^kubernetes-dashboard(?:-kong-proxy|-web)?$/, 'kubernetes-dashboard'],
  [/^argo-server$/, 'argo-server'],
  [/^mlflow(?:-server|-tracking)?$/, 'mlflow'],
  [/-head-svc$/, 'ray-dashboard'],
  [/^tensorboard$/, 'tensorboard'],
  [/^proxy-public$/, 'jupyterhub'],
];

// Images whose default command (no `command` or `args` in the container) starts a Jupyter server, with
// whether it asks for a token. The official TensorFlow `-jupyter` tags run `jupyter notebook --ip 0.0.0.0`,
// Jupyter's docker-stacks run start-notebook, Kubeflow's notebook images start Jupyter with an empty
// token (Kubeflow's gateway authenticates), Google's Deep Learning Containers start JupyterLab.
const JUPYTER_BY_DEFAULT: ReadonlyArray<{ image: RegExp; tag?: RegExp; token: boolean; server?: string }> = [
  { image: /(?:^|\/)tensorflow\/tensorflow$/, tag: /jupyter/, token: true },
  { image: /(?:^|\/)jupyter\/[a-z0-9._-]+-notebook$/, token: true },
  { image: /(?:^|\/)quay\.io\/jupyter\/[a-z0-9._-]+-notebook$/, token: true },
  { image: /(?:^|\/)kubeflownotebookswg\/jupyter[a-z0-9._-]*$/, token: false },
  { image: /(?:^|\/)kubeflow\/kubeflow\/notebook-servers\/jupyter[a-z0-9._-]*$/, token: false },
  { image: /(?:^|\/)notebook-servers\/jupyter[a-z0-9._-]*$/, token: false },
  { image: /(?:^|\/)kubeflow-images-public\/tensorflow-[a-z0-9._-]+-notebook-[a-z0-9._-]+$/, token: false },
  { image: /(?:^|\/)deeplearning-platform-release\/[a-z0-9._-]+$/, token: true },
  { image: /(?:^|\/)(?:kubeflownotebookswg|notebook-servers)\/codeserver[a-z0-9._-]*$/, token: false, server: 'code-server (VS Code in the browser)' },
  { image: /(?:^|\/)(?:kubeflownotebookswg|notebook-servers)\/rstudio[a-z0-9._-]*$/, token: false, server: 'RStudio Server' },
];

// Kubeflow's management web apps start notebook servers and TensorBoards for users but are not one:
// they are dashboard components behind Kubeflow's authentication, judged by the Kubeflow checks.
const KUBEFLOW_WEB_APPS = /(?:^|\/)(?:jupyter-web-app|volumes-web-app|tensorboards-web-app|models-web-app|katib-ui)$/;

// A command line that starts a notebook server.
const JUPYTER_COMMAND = /\b(?:jupyter(?:-|\s+)(?:notebook|lab|server)|jupyter-labhub|start-notebook\.(?:sh|py)|start-singleuser\.(?:sh|py)|jupyterhub-singleuser|python3?\s+-m\s+(?:notebook|jupyterlab|jupyter_server))\b/;

function imagePath(ref: ImageRef | null): string {
  return ref ? `${ref.registry}/${ref.repository}` : '';
}

function classify(inventory: Inventory, container: ContainerSite): SensitiveUi | null {
  if (container.type !== 'container') return null;
  const image = typeof container.container['image'] === 'string' ? parseImageRef(container.container['image']) : null;
  const path = imagePath(image);
  const words = commandLine(container);
  const text = words.join(' ');
  const ui = (kind: SensitiveUiKind, loginDisabled: SensitiveUi['loginDisabled'], kubeflowManaged = false, evidence: string | null = null): SensitiveUi => ({
    kind,
    container,
    loginDisabled,
    kubeflowManaged,
    evidence,
  });

  if (KUBEFLOW_WEB_APPS.test(path)) return null;
  if (/(?:^|\/)(?:kubernetesui\/dashboard(?:-web|-api)?|kubernetes-dashboard-amd64)$/.test(path)) {
    return ui('kubernetes-dashboard', dashboardLogin(inventory, container, image, words));
  }
  if (/(?:^|\/)argoproj\/argocli$/.test(path) && words.includes('server')) return ui('argo-server', argoLogin(container, image, words));
  if (isJupyterHubProxy(container)) return jupyterHub(inventory, container);
  const family = image ? mlImageFamily(image) : null;
  const managed = isKubeflowManaged(container.pod);
  if (/(?:^|\/)tensorboard$/.test(words[0] ?? '') || followedOnLine(text, /\btensorboard(?:\.main)?\b/, '--logdir') || /(?:^|\/)tensorflow\/tensorboard$/.test(path)) {
    // TensorBoard has no login at all, but shows logs rather than running code: exposure, not critical.
    return ui('tensorboard', null, managed);
  }
  if (/(?:^|\/)(?:mlflow\/mlflow|bitnami\/mlflow|burakince\/mlflow)$/.test(path) || /\bmlflow\s+(?:server|ui)\b/.test(text)) return ui('mlflow', mlflowLogin(container, words));
  if (family === 'ray' && (container.pod.labels['ray.io/node-type'] === 'head' || followedOnLine(text, /\bray start\b/, '--head'))) {
    const login = rayLogin(inventory, container);
    return ui('ray-dashboard', login, false, login ? null : 'token authentication on');
  }
  const command = JUPYTER_COMMAND.exec(text)?.[0];
  if (command) return ui('jupyter', jupyterLogin(inventory, container, words, false), managed, `it runs ${command}`);
  const byDefault = words.length === 0 && image ? JUPYTER_BY_DEFAULT.find((entry) => entry.image.test(path) && (!entry.tag || entry.tag.test(image.tag ?? 'latest'))) : undefined;
  if (byDefault && image) {
    const shown = image.raw;
    return ui('jupyter', jupyterLogin(inventory, container, words, !byDefault.token), managed, `the image ${shown} starts ${byDefault.server ?? 'Jupyter'} by default`);
  }
  return null;
}

/** JupyterHub's public proxy: anyone is in with the dummy or null authenticator, the chart's default being dummy. */
function jupyterHub(inventory: Inventory, container: ContainerSite): SensitiveUi {
  const login = hubLogin(inventory, container);
  const loginDisabled = login.open
    ? {
        reason: `the hub logs users in with the ${login.authenticator}${login.authenticator === 'NullAuthenticator' ? ', which has no login at all' : ', which takes any user name'}`,
        path: login.location?.path ?? [...container.path, 'image'],
        ...(login.location ? { resource: login.location.resource } : {}),
      }
    : null;
  const named = login.authenticator && !login.open ? (/authenticator$/i.test(login.authenticator) ? login.authenticator : `${login.authenticator} authenticator`) : null;
  const evidence = `its public proxy, configurable-http-proxy${named ? `, with the ${named}` : ''}${login.unreadable ? `; its authenticator was not read: ${login.unreadable}` : ''}`;
  return { kind: 'jupyterhub', container, loginDisabled, kubeflowManaged: false, evidence };
}

/**
 * Ray's dashboard and job API have no login unless token authentication is on: KubeRay's
 * `authOptions.mode: token` on the cluster, or `RAY_AUTH_MODE=token` on the head.
 */
function rayLogin(inventory: Inventory, container: ContainerSite): SensitiveUi['loginDisabled'] {
  const headAt = container.pod.path.indexOf('headGroupSpec');
  if (headAt > 0) {
    const clusterPath = container.pod.path.slice(0, headAt);
    const mode = asString(dig(container.pod.resource.obj, ...(clusterPath as string[]), 'authOptions', 'mode'));
    if (mode?.toLowerCase() === 'token') return null;
  }
  const env = resolveEnv(inventory, container, 'RAY_AUTH_MODE');
  if (env.state === 'value' && env.value.trim().toLowerCase() === 'token') return null;
  return { reason: "Ray's dashboard and job API have no login: anyone can submit jobs", path: [...container.path, 'image'] };
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

function jupyterLogin(inventory: Inventory, container: ContainerSite, words: readonly string[], noTokenByDefault: boolean): SensitiveUi['loginDisabled'] {
  for (const flag of ['--NotebookApp.token', '--ServerApp.token', '--IdentityProvider.token']) {
    const values = flagValues(words, flag);
    if (values.length > 0 && /^(?:''|"")?$/.test(values.at(-1)!)) return { reason: `it runs with ${flag}='' (no token)`, path: argsPath(container) };
  }
  const token = resolveEnv(inventory, container, 'JUPYTER_TOKEN');
  if (token.state === 'value' && token.plainText && token.value.trim() === '' && token.resource === container.pod.resource) {
    return { reason: 'it runs with an empty JUPYTER_TOKEN (no token)', path: token.path };
  }
  if (noTokenByDefault) return { reason: "Kubeflow's notebook images start their server without a token or password", path: [...container.path, 'image'] };
  return null;
}

function mlflowLogin(container: ContainerSite, words: readonly string[]): SensitiveUi['loginDisabled'] {
  if (flagValues(words, '--app-name').includes('basic-auth')) return null;
  return { reason: 'MLflow runs without its basic-auth app, so it has no login', path: words.length > 0 ? argsPath(container) : [...container.path, 'image'] };
}
