import { parse as parseToml } from 'smol-toml';
import { describeResource } from '../core/object-ref.js';
import type { ContainerSite, FieldPath, Inventory, Resource } from '../core/types.js';
import { commandLine, flagValues, mountedFile, resolveEnv } from './container-env.js';
import { containersRunning } from './container-index.js';
import { AUTH_SECRETS } from './secrets.js';
import { scalarText } from '../core/json.js';

const IMAGE = /(?:^|\/)(?:oauth2-proxy\/oauth2-proxy|bitnami\/oauth2-proxy)$/;

/** The same option under its flag, environment and config-file names. */
const OPTIONS = {
  provider: { flag: '--provider', env: 'OAUTH2_PROXY_PROVIDER', cfg: 'provider' },
  oidcIssuerUrl: { flag: '--oidc-issuer-url', env: 'OAUTH2_PROXY_OIDC_ISSUER_URL', cfg: 'oidc_issuer_url' },
  emailDomains: { flag: '--email-domain', env: 'OAUTH2_PROXY_EMAIL_DOMAINS', cfg: 'email_domains' },
  allowedGroups: { flag: '--allowed-group', env: 'OAUTH2_PROXY_ALLOWED_GROUPS', cfg: 'allowed_groups' },
  githubOrg: { flag: '--github-org', env: 'OAUTH2_PROXY_GITHUB_ORG', cfg: 'github_org' },
  githubUsers: { flag: '--github-user', env: 'OAUTH2_PROXY_GITHUB_USERS', cfg: 'github_users' },
  googleGroups: { flag: '--google-group', env: 'OAUTH2_PROXY_GOOGLE_GROUPS', cfg: 'google_groups' },
  emailsFile: { flag: '--authenticated-emails-file', env: 'OAUTH2_PROXY_AUTHENTICATED_EMAILS_FILE', cfg: 'authenticated_emails_file' },
  githubTeam: { flag: '--github-team', env: 'OAUTH2_PROXY_GITHUB_TEAM', cfg: 'github_team' },
  githubRepo: { flag: '--github-repo', env: 'OAUTH2_PROXY_GITHUB_REPO', cfg: 'github_repo' },
  gitlabGroups: { flag: '--gitlab-group', env: 'OAUTH2_PROXY_GITLAB_GROUPS', cfg: 'gitlab_groups' },
  gitlabProjects: { flag: '--gitlab-project', env: 'OAUTH2_PROXY_GITLAB_PROJECTS', cfg: 'gitlab_projects' },
  azureTenant: { flag: '--azure-tenant', env: 'OAUTH2_PROXY_AZURE_TENANT', cfg: 'azure_tenant' },
  allowedEmails: { flag: '--allowed-email', env: 'OAUTH2_PROXY_ALLOWED_EMAILS', cfg: 'allowed_emails' },
  clientSecret: { flag: '--client-secret', env: 'OAUTH2_PROXY_CLIENT_SECRET', cfg: 'client_secret' },
  cookieSecret: { flag: '--cookie-secret', env: 'OAUTH2_PROXY_COOKIE_SECRET', cfg: 'cookie_secret' },
} as const;

export type OAuth2ProxyOption = keyof typeof OPTIONS;

export interface OptionValue {
  values: string[];
  resource: Resource;
  path: FieldPath;
}

export interface OAuth2Proxy {
  container: ContainerSite;
  /** Options by precedence: flags, then environment, then the config file. */
  option(name: OAuth2ProxyOption): OptionValue | null;
  /** What could not be read (a Secret behind an environment variable). */
  unreadable: string[];
}

/** oauth2-proxy containers among the inputs, with their effective options. */
export function oauth2Proxies(inventory: Inventory): readonly OAuth2Proxy[] {
  return inventory.memo('oauth2Proxies', () => containersRunning(inventory, IMAGE).map((container) => readProxy(inventory, container)));
}

function readProxy(inventory: Inventory, container: ContainerSite): OAuth2Proxy {
  const words = commandLine(container);
  const unreadable: string[] = [];
  let config: { values: Record<string, unknown>; resource: Resource; path: FieldPath } | null = null;
  const configPath = flagValues(words, '--config').at(-1);
  if (configPath) {
    const file = mountedFile(inventory, container, configPath, AUTH_SECRETS);
    if (file.state === 'unreadable') unreadable.push(file.reason);
    if (file.state === 'value') {
      try {
        config = { values: parseToml(file.value), resource: file.resource, path: file.path };
      } catch (error) {
        // oauth2-proxy refuses to start on a configuration it cannot parse: what it would run is unknown.
        const line = (error as { line?: unknown }).line;
        unreadable.push(`oauth2-proxy's configuration ${configPath} in ${describeResource(file.resource)} cannot be parsed${typeof line === 'number' ? ` (line ${line})` : ''}`);
      }
    }
  }
  const option = (name: OAuth2ProxyOption): OptionValue | null => {
    const spec = OPTIONS[name];
    const flags = flagValues(words, spec.flag);
    if (flags.length > 0) {
      const index = (container.container['args'] !== undefined ? 'args' : 'command') as string;
      return { values: flags, resource: container.pod.resource, path: [...container.path, index] };
    }
    const env = resolveEnv(inventory, container, spec.env, AUTH_SECRETS);
    if (env.state === 'unreadable') {
      if (!unreadable.includes(env.reason)) unreadable.push(env.reason);
      return null;
    }
    if (env.state === 'value') return { values: env.value.split(',').map((v) => v.trim()), resource: env.resource, path: env.path };
    const fromFile = config?.values[spec.cfg];
    if (fromFile === undefined || !config) return null;
    const values = (Array.isArray(fromFile) ? fromFile : [fromFile]).flatMap((value) => scalarText(value) ?? []);
    return { values, resource: config.resource, path: config.path };
  };
  return { container, option, unreadable };
}

/** The provider oauth2-proxy logs users in with; oauth2-proxy's own default is `google`. */
export function providerOf(proxy: OAuth2Proxy): string {
  return proxy.option('provider')?.values[0]?.trim().toLowerCase() || 'google';
}

// Restrictions that narrow who may log in, whatever the email domain says.
const RESTRICTIONS = ['allowedGroups', 'githubOrg', 'githubUsers', 'githubTeam', 'githubRepo', 'googleGroups', 'gitlabGroups', 'gitlabProjects', 'emailsFile', 'allowedEmails'] as const;

/**
 * Whether any account may log in: `email_domains` includes `*` and nothing else restricts who (allowed
 * groups, a GitHub org, team or user list, Google or GitLab groups, an emails file).
 */
export function acceptsAnyAccount(proxy: OAuth2Proxy): boolean {
  const domains = proxy.option('emailDomains')?.values ?? [];
  if (!domains.includes('*')) return false;
  return !RESTRICTIONS.some((name) => (proxy.option(name)?.values ?? []).some((v) => v.trim() !== ''));
}

// Providers where anyone can open an account (oauth2-proxy's provider names), and OIDC issuers that are such a provider.
const PUBLIC_PROVIDERS: ReadonlyMap<string, string> = new Map([
  ['google', 'Google'],
  ['github', 'GitHub'],
  ['gitlab', 'GitLab'],
  ['facebook', 'Facebook'],
  ['linkedin', 'LinkedIn'],
  ['bitbucket', 'Bitbucket'],
  ['digitalocean', 'DigitalOcean'],
]);
const PUBLIC_ISSUERS: ReadonlyArray<[RegExp, string]> = [
  [/^https:\/\/accounts\.google\.com\/?$/, 'Google'],
  [/^https:\/\/gitlab\.com\/?$/, 'GitLab'],
  [/^https:\/\/login\.microsoftonline\.com\/(?:common|consumers|organizations)(?:\/|$)/, 'Microsoft'],
];

/**
 * The public identity provider oauth2-proxy logs users in with (`Google`), or null for a private one (a
 * Dex, Keycloak or company tenant). Azure counts only with the multi-tenant `common` tenant (its default).
 */
export function publicProviderOf(proxy: OAuth2Proxy): string | null {
  const provider = providerOf(proxy);
  const named = PUBLIC_PROVIDERS.get(provider);
  if (named) return provider === 'gitlab' && !/^(?:https:\/\/gitlab\.com\/?)?$/.test(proxy.option('oidcIssuerUrl')?.values[0] ?? '') ? null : named;
  if (provider === 'azure' || provider === 'entra-id') {
    const tenant = proxy.option('azureTenant')?.values[0]?.trim() || 'common';
    return ['common', 'consumers', 'organizations'].includes(tenant) ? 'Microsoft' : null;
  }
  if (provider === 'oidc') {
    const issuer = proxy.option('oidcIssuerUrl')?.values[0]?.trim() ?? '';
    return PUBLIC_ISSUERS.find(([pattern]) => pattern.test(issuer))?.[1] ?? null;
  }
  return null;
}
