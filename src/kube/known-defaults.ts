// Credentials that Kubeflow, kfctl and Dex publish in their manifests, docs and examples. They are
// compared with what a cluster holds and never printed: messages name where a default came from.

/** bcrypt hashes shipped as static Dex passwords, with where each comes from. */
const DEFAULT_PASSWORD_HASHES: ReadonlyMap<string, string> = new Map([
  ['$2y$12$4K/VkmDd1q1Orb3xAt82zu8gk7Ad6ReFR4LCP9UeYE90NLiN9Df72', "Kubeflow's manifests v1.3 to 26.03, whose password the README documents"],
  ['$2y$12$ruoM7FqXrpVgaol44eRZW.4HWS8SAvg6KYVVSCIwKQPBmTpCm.EeO', "kfctl's v1.0 to v1.2 configs, whose password the docs give"],
  ['$2a$10$2b2cU8CPhOTaGrs1HRQuAueS7JTT5ZHsHSzYiFPm1leZck7Mc8T4W', 'the Dex example configuration'],
  ['$2b$10$ztyRMtzZ.CgC7KKeHsJuku03GWTjt0d0ClcCz4J2qG2FdVnJB8a8a', "Kubeflow v1.2's IBM stack"],
  ['$2y$12$vIm8CANhuWui0J1p3jYeGeuM28Qcn76IFMaFWvZCG5ZkKZ4MjTF4u', "the Kubeflow README's example"],
]);

/** Static users that Kubeflow and kfctl ship, whatever their hash. */
const DEFAULT_USERS = new Set(['user@example.com', 'admin@kubeflow.org', 'admin@example.com']);

/** OIDC client secrets from Kubeflow's manifests (Dex, oidc-authservice, oauth2-proxy) and Dex's example app. */
const DEFAULT_CLIENT_SECRETS: ReadonlyMap<string, string> = new Map([
  ['pUBnBOY80SnXgjibTYM9ZWNzY2xreNGQok', "Kubeflow's manifests"],
  ['ZXhhbXBsZS1hcHAtc2VjcmV0', "Dex's example app"],
]);

/** oauth2-proxy cookie secrets from Kubeflow's manifests: with one, session cookies can be forged. */
const DEFAULT_COOKIE_SECRETS: ReadonlyMap<string, string> = new Map([['7d16fee92f8d11b8940b081b3f8b8acb', "Kubeflow's manifests"]]);

export type DefaultKind = 'password-hash' | 'client-secret' | 'cookie-secret';

/** Where a known default value comes from, or `null` for a value that is not one. Exact comparison, trimmed. */
export function knownDefault(kind: DefaultKind, value: string): string | null {
  const text = value.trim();
  const table = kind === 'password-hash' ? DEFAULT_PASSWORD_HASHES : kind === 'client-secret' ? DEFAULT_CLIENT_SECRETS : DEFAULT_COOKIE_SECRETS;
  return table.get(text) ?? null;
}

/** Any known default client or cookie secret: for scanning every Secret key, whatever its name. */
export function knownSecretDefault(value: string): { kind: 'client-secret' | 'cookie-secret'; origin: string } | null {
  const client = knownDefault('client-secret', value);
  if (client) return { kind: 'client-secret', origin: client };
  const cookie = knownDefault('cookie-secret', value);
  return cookie ? { kind: 'cookie-secret', origin: cookie } : null;
}

export function isDefaultUser(email: string): boolean {
  return DEFAULT_USERS.has(email.trim().toLowerCase());
}
