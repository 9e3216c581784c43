// What an answer is, told by its content and never by its status alone: a Kubeflow page or API that
// served itself (no login in the way), a login (a redirect to Dex, oauth2-proxy or an identity provider,
// a login form, an HTTP authentication challenge), or something else.

export type Recognition =
  /** Kubeflow served its own content: nothing asked for a login. An API's live data is stronger evidence than a page. */
  | { kind: 'kubeflow'; what: string; source: 'api' | 'page' }
  /** The request reached a Kubeflow component, which refused it for a reason of its own (not a login). */
  | { kind: 'kubeflow-refused'; what: string }
  | { kind: 'login'; via: string }
  | { kind: 'other' };

export interface Answer {
  /** The path asked for. */
  path: string;
  status: number;
  /** The redirect target, resolved against the request URL. */
  location: URL | null;
  contentType: string | null;
  wwwAuthenticate: string | null;
  body: string;
}

/** The paths asked for at each address, in this order: the page, then the APIs the dashboard's pages call. */
export const PROBE_PATHS = [
  '/',
  // The central dashboard's first call: who the user is, the namespaces, the platform (all Kubeflow versions).
  '/api/workgroup/env-info',
  // Kubeflow Pipelines through the gateway (its VirtualService serves /pipeline), and directly (the
  // ml-pipeline-ui or ml-pipeline Service exposed). v1beta1 is served by KFP 1.x and 2.x alike.
  '/pipeline/apis/v1beta1/pipelines?page_size=1',
  '/apis/v1beta1/pipelines?page_size=1',
] as const;

const ANONYMOUS_DASHBOARD_USER = 'anonymous@kubeflow.org';

export function recognise(answer: Answer): Recognition {
  const { status } = answer;
  if (status >= 300 && status < 400) {
    const via = answer.location ? loginTarget(answer.location) : null;
    return via ? { kind: 'login', via } : { kind: 'other' };
  }
  const json = parseJsonObject(answer.body);
  const pipelinesPath = /\/apis\/v[0-9a-z]+\/pipelines/.test(answer.path);
  if (pipelinesPath && json && status >= 400 && typeof json['code'] === 'number' && (typeof json['message'] === 'string' || typeof json['error'] === 'string')) {
    const identity = /user identity|kubeflow-userid|unauthenticated/i.test([json['message'], json['error']].map((text) => (typeof text === 'string' ? text : '')).join(' '));
    return {
      kind: 'kubeflow-refused',
      what: identity ? 'the Kubeflow Pipelines API (it asks for the user identity header that the login in front of it should set)' : 'the Kubeflow Pipelines API',
    };
  }
  if (status === 401 || status === 407) {
    const scheme = answer.wwwAuthenticate?.trim().split(/\s+/)[0];
    return { kind: 'login', via: scheme ? `HTTP ${scheme} authentication` : 'HTTP authentication (401)' };
  }
  if (status >= 200 && status < 300) {
    if (json) {
      if (answer.path.startsWith('/api/workgroup/env-info') && isEnvironmentInfo(json)) {
        const user = typeof json['user'] === 'string' ? json['user'] : null;
        const who = user === ANONYMOUS_DASHBOARD_USER ? ' to an anonymous user' : user ? ` as ${user}` : '';
        return { kind: 'kubeflow', what: `the central dashboard's environment API${who}`, source: 'api' };
      }
      if (pipelinesPath && (Array.isArray(json['pipelines']) || typeof json['total_size'] === 'number')) {
        return { kind: 'kubeflow', what: 'the Kubeflow Pipelines API listing pipelines', source: 'api' };
      }
      return { kind: 'other' };
    }
    const page = recognisePage(answer.body);
    if (page) return page;
  }
  return { kind: 'other' };
}

/**
 * The dashboard answers env-info with `user`, `platform`, `namespaces` and `isClusterAdmin` (all versions
 * since 1.0): two of them, at least one beyond `user`, are its shape.
 */
function isEnvironmentInfo(json: Record<string, unknown>): boolean {
  const fields = [typeof json['user'] === 'string', isObject(json['platform']), Array.isArray(json['namespaces']), typeof json['isClusterAdmin'] === 'boolean'];
  return fields.filter(Boolean).length >= 2 && fields.slice(1).some(Boolean);
}

function recognisePage(body: string): Recognition | null {
  // A login page may well be branded "Kubeflow": a password form or a login link decides first.
  const via = loginPage(body);
  if (via) return { kind: 'login', via };
  // Inside a tag nothing runs past the next `<`: a hostile body of `<title<title...` is read once.
  const title = /<title[^<>]*>([\s\S]{0,200}?)<\/title>/i.exec(body)?.[1] ?? '';
  const dashboard =
    (/kubeflow/i.test(title) && /dashboard/i.test(title)) ||
    /<meta[^<>]*content\s*=\s*["']Kubeflow Central Dashboard["']/i.test(body) ||
    (/kubeflow/i.test(body) && /<main-page[\s>]/i.test(body));
  if (dashboard) return { kind: 'kubeflow', what: "the central dashboard's page", source: 'page' };
  if (/kubeflow pipelines/i.test(title)) return { kind: 'kubeflow', what: "the Kubeflow Pipelines UI's page", source: 'page' };
  return null;
}

/** Who a login page belongs to, from what the page itself shows. */
function loginPage(body: string): string | null {
  const hasPassword = /<input[^<>]*type\s*=\s*["']?password/i.test(body);
  if (/\/dex\/(auth|static|theme)|<title[^<>]*>\s*dex\s*<\/title>/i.test(body) && (hasPassword || /log in with|login with/i.test(body))) return 'Dex';
  if (/\/oauth2\/(start|sign_in)/i.test(body)) return 'oauth2-proxy';
  if (/<form[^<>]*kc-form-login|\/protocol\/openid-connect\//i.test(body)) return 'Keycloak';
  if (hasPassword) return 'a login form';
  return null;
}

const IDENTITY_PROVIDER_HOSTS: ReadonlyArray<[RegExp, string]> = [
  [/(^|\.)accounts\.google\.com$/, 'Google sign-in'],
  [/(^|\.)login\.microsoftonline\.(com|us)$/, 'Microsoft Entra ID'],
  [/(^|\.)okta(preview)?\.com$/, 'Okta'],
  [/(^|\.)auth0\.com$/, 'Auth0'],
  [/(^|\.)amazoncognito\.com$/, 'Amazon Cognito'],
  [/(^|\.)onelogin\.com$/, 'OneLogin'],
  [/(^|\.)github\.com$/, 'GitHub sign-in'],
  [/(^|\.)gitlab\.com$/, 'GitLab sign-in'],
];

/** The login a redirect goes to, by its host and path, or null when it does not look like one. */
export function loginTarget(location: URL): string | null {
  const path = location.pathname.toLowerCase();
  if (/\/oauth2\/(start|sign_in|auth|callback)/.test(path)) return 'oauth2-proxy';
  if (/(^|\/)dex(\/|$)/.test(path)) return 'Dex';
  if (/(^|\/)authservice(\/|$)/.test(path)) return 'oidc-authservice';
  if (/\/protocol\/openid-connect\/auth/.test(path)) return 'Keycloak';
  const host = location.hostname.toLowerCase();
  for (const [pattern, name] of IDENTITY_PROVIDER_HOSTS) if (pattern.test(host)) return name;
  const params = location.searchParams;
  if (params.has('client_id') && (params.has('response_type') || params.has('redirect_uri'))) return 'an OpenID Connect or OAuth provider';
  if (/(^|\/)(login|signin|sign_in|sign-in|sso|saml)(\/|$|\.)/.test(path)) return 'a login page';
  return null;
}

function parseJsonObject(body: string): Record<string, unknown> | null {
  const text = body.trim();
  if (!text.startsWith('{')) return null;
  try {
    const value: unknown = JSON.parse(text);
    return isObject(value) ? value : null;
  } catch {
    return null;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
