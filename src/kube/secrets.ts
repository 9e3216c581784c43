import { asObject, asString } from '../core/json.js';
import type { FieldPath, Inventory, Resource } from '../core/types.js';

// Secret values are compared here and never leave this module's callers in a message, key or path:
// callers get the value to compare and the location of the key, nothing to print.

/**
 * The Secrets that the authentication checks compare with known defaults, by name: Dex's password and
 * client Secrets (and its config, where a chart keeps it in a Secret), oidc-authservice's client
 * Secret and oauth2-proxy's. Live mode reads exactly these; checks declare them in `namedSecrets`.
 */
export const AUTH_SECRETS: ReadonlyArray<{ namespace: string; name: string }> = [
  { namespace: 'auth', name: 'dex-passwords' },
  { namespace: 'auth', name: 'dex-oidc-client' },
  { namespace: 'auth', name: 'dex' },
  { namespace: 'dex', name: 'dex' },
  { namespace: 'istio-system', name: 'oidc-authservice-client' },
  { namespace: 'oauth2-proxy', name: 'oauth2-proxy' },
];

export type SecretLookup =
  | { state: 'found'; secret: Resource }
  | { state: 'absent' }
  /** RBAC or `--no-secrets` hid Secrets, or live mode did not read this one. */
  | { state: 'unreadable'; reason: string };

/**
 * A Secret by name. Live mode reads only the Secrets that checks name (`meta.namedSecrets`): another
 * Secret missing from a live inventory is unread, not absent.
 */
export function lookupSecret(
  inventory: Inventory,
  namespace: string,
  name: string,
  declared: ReadonlyArray<{ namespace: string; name: string }> = [],
): SecretLookup {
  const readability = inventory.readability('Secret');
  if (readability.state === 'forbidden') return { state: 'unreadable', reason: `Secret ${namespace}/${name} was not read (${readability.reason})` };
  const secret = inventory.get('Secret', namespace, name);
  if (secret) return { state: 'found', secret };
  if (inventory.mode === 'cluster' && !declared.some((d) => d.namespace === namespace && d.name === name)) {
    return { state: 'unreadable', reason: `Secret ${namespace}/${name} is not among the Secrets kfscan reads by name` };
  }
  return { state: 'absent' };
}

export interface StoredValue {
  value: string;
  resource: Resource;
  /** Where the key sits (`stringData.KEY` or `data.KEY`); inside it only for plain-text values. */
  path: FieldPath;
  /** The value is plain text in the manifest, so a path may go on into it (embedded YAML). */
  plainText: boolean;
}

/**
 * A Secret's value for a key, as the API server would store it: `stringData` wins over `data` (which is
 * base64). A `data` value that is not valid base64 is unusable, as the API server would reject it.
 */
export function secretEntry(secret: Resource, key: string): StoredValue | null {
  const plain = asString(asObject(secret.obj['stringData'])?.[key]);
  if (plain !== null) return { value: plain, resource: secret, path: ['stringData', key], plainText: true };
  const encoded = asString(asObject(secret.obj['data'])?.[key]);
  if (encoded === null) return null;
  const decoded = decodeBase64(encoded);
  return decoded === null ? null : { value: decoded, resource: secret, path: ['data', key], plainText: false };
}

/** Every key of a Secret with its value (stringData over data). */
export function secretEntries(secret: Resource): StoredValue[] {
  const keys = new Set([...Object.keys(asObject(secret.obj['data']) ?? {}), ...Object.keys(asObject(secret.obj['stringData']) ?? {})]);
  return [...keys].flatMap((key) => {
    const entry = secretEntry(secret, key);
    return entry ? [entry] : [];
  });
}

export function configMapEntry(configMap: Resource, key: string): StoredValue | null {
  const value = asString(asObject(configMap.obj['data'])?.[key]);
  return value === null ? null : { value, resource: configMap, path: ['data', key], plainText: true };
}

function decodeBase64(text: string): string | null {
  const compact = text.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 === 1) return null;
  return Buffer.from(compact, 'base64').toString('utf8');
}
