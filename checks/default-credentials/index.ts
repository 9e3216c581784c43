import { describeResource as describe } from '../../src/core/object-ref.js';
import { defineBuiltinCheck } from '../../src/catalogue/check-unit.js';
import { remediation } from './remediation.js';
import { parse as parseToml } from 'smol-toml';
import { asArray, asObject, asString } from '../../src/core/json.js';
import type { Draft, FieldPath, Inventory, Resource, Undecided } from '../../src/core/types.js';
import { dexConfigPath, dexEnv, dexInstances, dexSourceName, type DexInstance } from '../../src/kube/dex.js';
import { isDefaultUser, knownDefault, knownSecretDefault } from '../../src/kube/known-defaults.js';
import { AUTH_SECRETS, configMapEntry, secretEntries, type StoredValue } from '../../src/kube/secrets.js';
import { KUBEFLOW_PRESENCE_KINDS, kubeflowPresent } from '../../src/kube/ml-platform.js';
import { oauth2Proxies } from '../../src/kube/oauth2-proxy.js';
import { authSecretReferences, configMapSecretSelectors, containerSecretReferences, usersOf } from '../../src/kube/secret-references.js';
import { unionOfKinds } from '../../src/core/kinds.js';
import { containersSettingEnv } from '../../src/kube/container-index.js';

// Every value compared here is a credential: messages say where it sits and where the default comes
// from, never what it is.

const SECRET_KIND_TEXT = { 'client-secret': 'OIDC client secret', 'cookie-secret': 'oauth2-proxy cookie secret' } as const;

const check = defineBuiltinCheck({
  meta: {
    id: 'default-credentials',
    title: 'Default or static credentials on the Kubeflow login',
    category: 'auth',
    severity: 'critical',
    description:
      "Dex's local password database with a static user whose bcrypt hash is a published default (Kubeflow's user@example.com, kfctl's admin@kubeflow.org, Dex's example), also when the hash sits in Secret dex-passwords through hashFromEnv; other static Dex passwords; and the OIDC client and oauth2-proxy cookie secrets that Kubeflow's manifests publish: high where a running component uses them (a pod takes or mounts them, a ConfigMap's secret selector names them), info where nothing in the input does. Values are compared, never printed.",
    rationale:
      "Kubeflow's README documents the password of its default user user@example.com, and its manifests publish the OIDC client and cookie secrets: an exposed dashboard with these defaults is as open as one without authentication, which is how the 2021 attackers got in.",
    remediation:
      'Replace the static user: generate a new bcrypt hash (`htpasswd -nbBC 12 "" <password> | tr -d \':\\n\'`) into Secret auth/dex-passwords, or disable enablePasswordDB and use a connector to your identity provider; generate new OIDC client and cookie secrets (`openssl rand -base64 32`) in every Secret that holds them.',
    tags: ['MS-TA9005', 'MS-M9009'],
    needs: unionOfKinds(['ConfigMap'], KUBEFLOW_PRESENCE_KINDS),
    namedSecrets: [...AUTH_SECRETS],
  },
  // The Secrets the auth components read, and any other a pod or a ConfigMap's secret selector uses: a
  // published client or cookie secret matters wherever something uses it.
  secretsToRead: (inventory) => [
    ...authSecretReferences(inventory),
    ...containerSecretReferences(inventory).map((secret) => ({ ...secret, optional: true })),
    ...configMapSecretSelectors(inventory).map(({ namespace, name }) => ({ namespace, name, optional: true })),
  ],
  *run(inventory) {
    const reported = new Set<string>();
    const undecided = new Set<string>();
    const report = function* (draft: Draft, location: StoredValue | { resource: Resource; path: FieldPath }): Generator<Draft> {
      const id = `${location.resource.ref.kind}/${location.resource.ref.namespace}/${location.resource.ref.name}:${location.path.join('.')}`;
      if (reported.has(id)) return;
      reported.add(id);
      yield draft;
    };

    const dex = dexInstances(inventory);
    for (const reason of dex.unreadable) undecided.add(reason);
    for (const instance of dex.instances) {
      yield* staticPasswords(inventory, instance, undecided, report);
      yield* staticClients(inventory, instance, undecided, report);
    }

    const secretsHidden = inventory.readability('Secret');
    if (secretsHidden.state === 'forbidden' && (dex.instances.length > 0 || kubeflowPresent(inventory))) {
      undecided.add(`Secrets were not read (${secretsHidden.reason}): passwords behind hashFromEnv and default client and cookie secrets were not compared`);
    }
    for (const secret of inventory.ofKind('Secret')) {
      for (const entry of secretEntries(secret)) {
        const known = knownSecretDefault(entry.value);
        if (!known) continue;
        const use = usedBy(inventory, 'Secret', secret);
        yield* report(
          {
            resource: secret,
            path: entry.path,
            severity: use.severity,
            message: `${describe(secret)} key ${String(entry.path[1])} holds the ${SECRET_KIND_TEXT[known.kind]} published in ${known.origin}${use.text}`,
            key: `secret:${String(entry.path[1])}`,
          },
          entry,
        );
      }
    }
    yield* inlineSecrets(inventory, report);
    proxySecretsUnread(inventory, undecided);
    for (const reason of undecided) yield { undecided: true, reason } satisfies Undecided;
  },
  attackPath: ['auth'],
  remediation,
});

type Report = (draft: Draft, location: StoredValue | { resource: Resource; path: FieldPath }) => Generator<Draft>;

function* staticPasswords(inventory: Inventory, dex: DexInstance, undecided: Set<string>, report: Report): Generator<Draft> {
  // Without the password database Dex serves no login form, so static passwords are not usable.
  if (dex.config['enablePasswordDB'] !== true) return;
  const where = dexSourceName(dex);
  const entries = asArray(dex.config['staticPasswords']);
  for (let index = 0; index < entries.length; index++) {
    const entry = asObject(entries[index]);
    const email = asString(entry?.['email']) ?? asString(entry?.['username']) ?? `#${index + 1}`;
    let hash: StoredValue | null = null;
    const literal = asString(entry?.['hash']);
    const fromEnv = asString(entry?.['hashFromEnv']);
    if (literal !== null) {
      hash = { value: literal, resource: dex.source.resource, path: dexConfigPath(dex, 'staticPasswords', index, 'hash'), plainText: dex.source.plainText };
    } else if (fromEnv) {
      const resolved = dexEnv(inventory, dex, fromEnv);
      if (resolved.state === 'unreadable') {
        undecided.add(`${resolved.reason}: the password of Dex static user ${email} (hashFromEnv ${fromEnv}) was not compared`);
        continue;
      }
      if (resolved.state === 'value') hash = resolved;
    }
    // A hashFromEnv that nothing sets leaves the user without a password to judge.
    if (!hash) continue;
    const stored = hash;
    const held = hash.resource !== dex.source.resource ? ` (its hash is in ${describe(hash.resource)}, key ${String(hash.path[1])}, through hashFromEnv ${fromEnv})` : '';
    const origin = knownDefault('password-hash', hash.value);
    const key = `static-password:${email}`;
    if (origin) {
      yield* report(
        {
          resource: stored.resource,
          path: stored.path,
          severity: 'critical',
          message: `Dex static user ${email} in ${where} has the password hash published in ${origin}${held}: anyone can log in as that user`,
          key,
        },
        stored,
      );
    } else {
      const which = isDefaultUser(email) ? `is a default Kubeflow account with a static password` : 'has a static password';
      yield* report(
        {
          resource: stored.resource,
          path: stored.path,
          severity: 'high',
          message: `Dex static user ${email} in ${where} ${which}${held}: a shared local login outside any identity provider, not a published hash`,
          key,
        },
        stored,
      );
    }
  }
}

function* staticClients(inventory: Inventory, dex: DexInstance, undecided: Set<string>, report: Report): Generator<Draft> {
  const clients = asArray(dex.config['staticClients']);
  for (let index = 0; index < clients.length; index++) {
    const client = asObject(clients[index]);
    const literal = asString(client?.['secret']);
    const env = asString(client?.['secretEnv']);
    let secret: StoredValue | null = null;
    if (literal !== null) {
      secret = { value: literal, resource: dex.source.resource, path: dexConfigPath(dex, 'staticClients', index, 'secret'), plainText: dex.source.plainText };
    } else if (env) {
      const resolved = dexEnv(inventory, dex, env);
      if (resolved.state === 'unreadable') {
        undecided.add(`${resolved.reason}: the secret of a Dex client (secretEnv ${env}) was not compared`);
        continue;
      }
      if (resolved.state === 'value') secret = resolved;
    }
    const origin = secret ? knownDefault('client-secret', secret.value) : null;
    if (!secret || !origin) continue;
    const id = asString(client?.['id']) ?? asString(client?.['name']) ?? `#${index + 1}`;
    const held = secret.resource !== dex.source.resource ? ` (in ${describe(secret.resource)}, key ${String(secret.path[1])}, through secretEnv ${env})` : '';
    yield* report(
      {
        resource: secret.resource,
        path: secret.path,
        severity: 'high',
        message: `Dex client ${id} in ${dexSourceName(dex)} uses the OIDC client secret published in ${origin}${held}`,
        key: `client-secret:${id}`,
      },
      secret,
    );
  }
}

/**
 * oauth2-proxy reads its client and cookie secrets from a Secret that, in live mode, may carry
 * kustomize's name hash and not be among the Secrets kfscan reads: that must show as undecided, not as
 * a pass. (Values that were read are compared by the Secret, config-file and env scans.)
 */
function proxySecretsUnread(inventory: Inventory, undecided: Set<string>): void {
  for (const proxy of oauth2Proxies(inventory)) {
    proxy.option('clientSecret');
    proxy.option('cookieSecret');
    for (const reason of proxy.unreadable) undecided.add(`${reason}: oauth2-proxy's client and cookie secrets were not compared`);
  }
}

const CFG_SECRETS = { client_secret: 'client-secret', cookie_secret: 'cookie-secret' } as const;
const ENV_SECRETS = ['OAUTH2_PROXY_CLIENT_SECRET', 'OAUTH2_PROXY_COOKIE_SECRET', 'CLIENT_SECRET', 'OIDC_CLIENT_SECRET'];

/** Default secrets written in plain sight: an oauth2-proxy config file, or a container's literal env value. */
function* inlineSecrets(inventory: Inventory, report: Report): Generator<Draft> {
  for (const configMap of inventory.ofKind('ConfigMap')) {
    for (const key of Object.keys(asObject(configMap.obj['data']) ?? {})) {
      if (!key.endsWith('.cfg')) continue;
      const entry = configMapEntry(configMap, key);
      let parsed: Record<string, unknown>;
      try {
        parsed = parseToml(entry?.value ?? '');
      } catch {
        continue;
      }
      for (const [option, kind] of Object.entries(CFG_SECRETS)) {
        const value = asString(parsed[option]);
        const origin = value ? knownDefault(kind, value) : null;
        if (!origin || !entry) continue;
        const use = usedBy(inventory, 'ConfigMap', configMap);
        yield* report(
          {
            resource: configMap,
            path: entry.path,
            severity: use.severity,
            message: `${describe(configMap)} sets ${option} in ${key} to the ${SECRET_KIND_TEXT[kind]} published in ${origin}${use.text}`,
            key: `cfg:${key}:${option}`,
          },
          { resource: configMap, path: [...entry.path, option] },
        );
      }
    }
  }
  for (const container of containersSettingEnv(inventory, ENV_SECRETS)) {
    const site = container.pod;
    const env = asArray(container.container['env']);
    for (let index = 0; index < env.length; index++) {
      const entry = asObject(env[index]);
      const name = asString(entry?.['name']);
      const value = asString(entry?.['value']);
      if (!name || value === null || !ENV_SECRETS.includes(name)) continue;
      const known = knownSecretDefault(value);
      if (!known) continue;
      const path = [...container.path, 'env', index, 'value'];
      yield* report(
        {
          resource: site.resource,
          path,
          severity: 'high',
          message: `Container ${container.name} in ${describe(site.resource)} sets ${name} to the ${SECRET_KIND_TEXT[known.kind]} published in ${known.origin}`,
          key: `env:${container.name}:${name}`,
        },
        { resource: site.resource, path },
      );
    }
  }
}

/**
 * A published default secret matters where a running component uses it (high): a pod that takes it as
 * env or mounts it, or, for a Secret, a ConfigMap that names it. Nothing in the input using it, it is a
 * leftover to clean up (info).
 */
function usedBy(inventory: Inventory, kind: 'Secret' | 'ConfigMap', object: Resource): { severity: 'high' | 'info'; text: string } {
  const users = usersOf(inventory, kind, object.ref.namespace ?? 'default', object.ref.name);
  const first = users[0];
  if (!first) return { severity: 'info', text: '; nothing in the input uses it' };
  return { severity: 'high', text: `, which ${describe(first)}${users.length > 1 ? ` (and ${users.length - 1} more)` : ''} uses` };
}

export default check;
