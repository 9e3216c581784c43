import { parse } from 'yaml';
import { asObject, asString, dig } from '../core/json.js';
import type { ContainerSite, FieldPath, Inventory } from '../core/types.js';
import { mountedFile, type FileResolution } from './container-env.js';
import { imageNameMatches } from './image-ref.js';
import { containersRunning } from './container-index.js';

// Zero to JupyterHub (the Helm chart) runs the proxy and the hub from these images; older releases
// were on Docker Hub, newer ones on quay.io.
const PROXY_IMAGE = /(?:^|\/)jupyterhub\/configurable-http-proxy$/;
const HUB_IMAGE = /(?:^|\/)jupyterhub\/k8s-hub(?:-slim)?$/;

// Where the chart mounts the hub's configuration: its values in a Secret (chart 0.11+), or in a
// ConfigMap (older charts), and a jupyterhub_config.py that may set the authenticator itself.
const VALUES_FILES = ['/usr/local/etc/jupyterhub/secret/values.yaml', '/usr/local/etc/jupyterhub/config/values.yaml'];
const CONFIG_PY = '/usr/local/etc/jupyterhub/jupyterhub_config.py';

// JupyterHub's authenticators that let anyone in: the dummy one takes any user name (and, at most, one
// shared password), the null one has no login at all.
const OPEN_AUTHENTICATORS = new Map([
  ['dummy', 'DummyAuthenticator'],
  ['jupyterhub.auth.dummyauthenticator', 'DummyAuthenticator'],
  ['dummyauthenticator.dummyauthenticator', 'DummyAuthenticator'],
  ['null', 'NullAuthenticator'],
  ['jupyterhub.auth.nullauthenticator', 'NullAuthenticator'],
  ['nullauthenticator.nullauthenticator', 'NullAuthenticator'],
]);

export function isJupyterHubProxy(container: ContainerSite): boolean {
  return imageMatches(container, PROXY_IMAGE);
}

function imageMatches(container: ContainerSite, pattern: RegExp): boolean {
  return imageNameMatches(container.container['image'], pattern);
}

export interface HubLogin {
  /** `DummyAuthenticator`, `GitHubOAuthenticator`, ... as configured; null when it could not be read. */
  authenticator: string | null;
  /** Anyone gets in: the dummy or null authenticator. */
  open: boolean;
  /** Where the setting is (the Secret or ConfigMap key, or the hub container). */
  location: { resource: ContainerSite['pod']['resource']; path: FieldPath } | null;
  /** Why it could not be read (a Secret that RBAC or `--no-secrets` hid). */
  unreadable: string | null;
}

/**
 * The authenticator of the JupyterHub whose proxy this is: the hub in the same namespace, its chart
 * values (`hub.config.JupyterHub.authenticator_class`, or `auth.type` in charts before 0.11) or its
 * jupyterhub_config.py. The chart's default is the dummy authenticator.
 */
export function hubLogin(inventory: Inventory, proxy: ContainerSite): HubLogin {
  const hubs = inventory
    .podTemplates()
    .filter((site) => site.namespace === proxy.pod.namespace)
    .flatMap((site) => site.containers.filter((c) => c.type === 'container' && imageMatches(c, HUB_IMAGE)));
  let unreadable: string | null = null;
  for (const hub of hubs) {
    for (const file of VALUES_FILES) {
      const found = mountedFile(inventory, hub, file, hubSecrets(inventory));
      if (found.state === 'unreadable') unreadable = found.reason;
      const authenticator = found.state === 'value' ? fromValues(found.value) : null;
      if (authenticator) return login(authenticator, found);
    }
    const python = mountedFile(inventory, hub, CONFIG_PY, hubSecrets(inventory));
    const fromPython = python.state === 'value' ? /c\.JupyterHub\.authenticator_class\s*=\s*['"]([^'"]+)['"]/.exec(python.value)?.[1] : undefined;
    if (fromPython) return login(fromPython, python);
  }
  return { authenticator: null, open: false, location: null, unreadable };
}

function login(authenticator: string, file: FileResolution): HubLogin {
  const open = OPEN_AUTHENTICATORS.get(authenticator.trim().toLowerCase());
  const location = file.state === 'value' ? { resource: file.resource, path: file.path } : null;
  return { authenticator: open ?? authenticator, open: open !== undefined, location, unreadable: null };
}

function fromValues(text: string): string | null {
  let values: unknown;
  try {
    values = parse(text, { maxAliasCount: 100, logLevel: 'error' });
  } catch {
    return null;
  }
  return asString(dig(values, 'hub', 'config', 'JupyterHub', 'authenticator_class')) ?? asString(dig(asObject(values)?.['auth'], 'type'));
}

/** The Secrets JupyterHub hub pods mount: live mode reads them by name, for the authenticator setting. */
export function hubSecrets(inventory: Inventory): Array<{ namespace: string; name: string }> {
  return inventory.memo('jupyterHubSecrets', () => {
    const out = new Map<string, { namespace: string; name: string }>();
    const hubs = new Set(containersRunning(inventory, HUB_IMAGE).map((container) => container.pod));
    for (const site of hubs) {
      for (const volume of Array.isArray(site.spec['volumes']) ? site.spec['volumes'] : []) {
        const name = asString(dig(volume, 'secret', 'secretName'));
        if (name) out.set(`${site.namespace}/${name}`, { namespace: site.namespace, name });
      }
    }
    return [...out.values()];
  });
}
