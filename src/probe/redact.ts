// What the probe records goes into reports that are pasted into tickets and uploaded to code scanning:
// nothing that could let a reader in may survive. Cookies and other headers are never recorded at all;
// what is recorded (redirect targets, a short excerpt of the body) is stripped of anything that looks
// like a credential before it is stored.
import { redactCredentials } from '../core/credentials.js';

/** Longest excerpt kept, in characters. */
export const EXCERPT_CHARS = 200;

const REDACTED = '[redacted]';

// Query parameters of login redirects that say where the login goes and are no secret; every other
// value (state, nonce, code, tokens, session ids) is redacted.
const PLAIN_PARAMS = new Set(['client_id', 'redirect_uri', 'response_type', 'response_mode', 'scope', 'rd', 'prompt', 'page_size', 'connector_id']);

// Names of fields, attributes and parameters whose values are credentials or could be.
const SECRET_NAME = /(pass(word|wd)?|secret|token|session|cookie|csrf|xsrf|api[-_]?key|credential|nonce|signature|sig|state|code|auth(orization)?|bearer|jwt|sid|key)$/i;

/**
 * A redirect target or URL, with user information and fragments dropped and the values of query
 * parameters other than a few plain ones (`client_id`, `redirect_uri`, `scope`, ...) redacted.
 */
export function redactUrl(text: string, base?: string): string {
  let url: URL;
  try {
    url = base === undefined ? new URL(text) : new URL(text, base);
  } catch {
    return redactText(text);
  }
  url.username = '';
  url.password = '';
  url.hash = '';
  const params = [...url.searchParams.entries()];
  if (params.length > 0) {
    const kept = params.map(([name, value]) => `${encodeURIComponent(name)}=${PLAIN_PARAMS.has(name.toLowerCase()) ? encodeURIComponent(value) : REDACTED}`);
    url.search = `?${kept.join('&')}`;
  }
  return url.toString();
}

/**
 * A short excerpt of a response body for the evidence: the page title for HTML, else the start (a JSON
 * answer's first fields); whitespace collapsed, control characters dropped, credential-looking values
 * redacted, at most EXCERPT_CHARS characters.
 */
export function excerptOf(body: string, contentType: string | null): string | null {
  if (body.trim() === '') return null;
  let window: string;
  if (/html/i.test(contentType ?? '') || /^\s*<(!doctype|html)/i.test(body)) {
    const title = /<title[^<>]*>[\s\S]{0,300}?<\/title>/i.exec(body);
    window = title ? title[0] : body.slice(0, EXCERPT_CHARS * 2);
  } else {
    window = body.slice(0, EXCERPT_CHARS * 2);
  }
  // Controls, format and invisible characters in a hostile page become spaces.
  const clean = redactText(window.replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}]+/gu, ' ').replace(/\s+/g, ' ').trim());
  return clean.length > EXCERPT_CHARS ? `${clean.slice(0, EXCERPT_CHARS - 1)}…` : clean;
}

/**
 * Redacts what looks like a credential inside free text (JSON, HTML, URLs, headers quoted in a page): what
 * `redactCredentials` finds everywhere (user information in URLs, key ids, tokens, secret fields), and
 * what a page holds besides (form values, long opaque strings). The text is a short window of the body.
 */
export function redactText(text: string): string {
  return (
    redactCredentials(text)
      // JSON Web Tokens, whatever surrounds them.
      .replace(/(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g, REDACTED)
      // Authorization schemes followed by their credentials.
      .replace(/\b(Bearer|Basic|Digest|Token)\s+[A-Za-z0-9._~+/=-]{8,}/gi, `$1 ${REDACTED}`)
      // "name": "value" and name: "value" where the name is a credential's.
      .replace(/(?<![A-Za-z0-9_."-])("?)([A-Za-z0-9_.-]{1,64})\1(\s{0,8}[:=]\s{0,8})"(?:[^"\\]|\\.){0,400}"/g, (match, quote: string, name: string, separator: string) =>
        SECRET_NAME.test(name) ? `${quote}${name}${quote}${separator}"${REDACTED}"` : match,
      )
      // HTML form values: hidden inputs carry CSRF tokens and login state.
      .replace(/\bvalue\s*=\s*("[^"]*"|'[^']*')/gi, `value="${REDACTED}"`)
      // URL query parameters and cookie pairs with a credential's name.
      .replace(/([?&;,(\s"']|^)([A-Za-z0-9_.-]+)=([^&\s"'<>;,]+)/g, (match, lead: string, name: string) =>
        SECRET_NAME.test(name) && !PLAIN_PARAMS.has(name.toLowerCase()) ? `${lead}${name}=${REDACTED}` : match,
      )
      // Long opaque strings (keys, session ids, hashes) that carry no name.
      .replace(/(?<![A-Za-z0-9+/_=-])[A-Za-z0-9+/_=-]{32,}/g, (match) => (/[0-9]/.test(match) && /[A-Za-z]/.test(match) ? REDACTED : match))
  );
}
