// Text kfscan prints quotes what it scanned: a miner's pool URL with its password, a kubeconfig's server
// URL with a token in its query, an error message that repeats a field. Before anything is printed or
// written, what looks like a credential in it is replaced, whatever it is part of. Every scan here is a
// single pass over the text (hand-written, or regexes whose every start is at the beginning of a token,
// so that none scans a stretch of text twice): hostile text of any length costs linear time.

export const REDACTED = '<redacted>';

/** Names of fields, flags and parameters whose values are credentials. */
const SECRET_NAME = /(?:pass(?:word|wd|phrase)?|pwd|secret|token|api[-_]?key|access[-_]?key|private[-_]?key|secret[-_]?key|credentials?|auth(?:orization)?|signature|session(?:[-_]?id)?|cookie|bindpw)$/i;
// AWS access key ids (long-term and temporary), never inside a longer token.
const AWS_KEY_ID = /(?<![A-Za-z0-9])(?:AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Za-z0-9])/g;
// JSON Web Tokens, starting only where a token starts.
const JWT = /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;
// Authorization schemes before their credentials.
const AUTH_SCHEME = /^(?:bearer|basic|token|digest)$/i;
// `name:` or `"name":` alone: the value is the next token.
const LABEL = /^["']?([A-Za-z][A-Za-z0-9_.-]{0,63})["']?:$/;

/** `text` with user information of URLs, secret query parameters and flags, key ids and tokens replaced. */
export function redactCredentials(text: string): string {
  if (text === '') return text;
  const blocks = redactKeyBlocks(text);
  const parts = blocks.split(/(\s+)/);
  let redactNext = false;
  let afterDigest = false;
  for (let index = 0; index < parts.length; index += 2) {
    const token = parts[index]!;
    if (token === '') continue;
    if (redactNext && AUTH_SCHEME.test(token)) continue;
    // HTTP Digest credentials are `name="value"` pairs; "pinned by digest sha256:..." is about an image.
    if (redactNext && afterDigest && !token.includes('=')) redactNext = false;
    if (redactNext && token.length >= 4) {
      parts[index] = token.endsWith(',') || token.endsWith('}') ? `${REDACTED}${token.slice(-1)}` : REDACTED;
      redactNext = false;
      continue;
    }
    const label = LABEL.exec(token);
    // `Secret:` is the Kubernetes kind in kfscan's own messages (`Secret: forbidden`), not a field.
    redactNext = AUTH_SCHEME.test(token) || (label !== null && SECRET_NAME.test(label[1]!) && !/^Secrets?$/.test(label[1]!));
    afterDigest = /^digest$/i.test(token);
    parts[index] = redactToken(token);
  }
  return parts.join('');
}

/** Every string in `value` (a report, a result, a list) redacted; other values as they are. */
export function redactDeep<T>(value: T): T {
  if (typeof value === 'string') return redactCredentials(value) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => redactDeep(item)) as T;
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redactDeep(item)])) as T;
  }
  return value;
}

// URLs with user information, queries and assignments all need one of these; without them a token can only
// be a key id (20 characters) or a JSON Web Token (15 at least). Most tokens are words of prose.
const STRUCTURED = /[:=?]/;
const SHORTEST_BARE_CREDENTIAL = 15;

function redactToken(token: string): string {
  const structured = STRUCTURED.test(token);
  if (!structured && token.length < SHORTEST_BARE_CREDENTIAL) return token;
  const out = structured ? redactAssignments(redactQuery(redactUserInfo(token))) : token;
  return out.replace(AWS_KEY_ID, REDACTED).replace(JWT, REDACTED);
}

const NAME_CHAR = /[A-Za-z0-9_.-]/;
const VALUE_END = new Set([',', ';', '&', '}', ']', ')']);
// A value that is no credential: a reference to an environment variable, or a redaction already.
// (A value ends at `}` or `]`, so `${NAME` and `[redacted` are what such values look like here.)
const NOT_A_VALUE = /^(?:\$[A-Za-z_][A-Za-z0-9_]*|\$\{[A-Za-z_][A-Za-z0-9_]*\}?|<redacted>|\[redacted\]?)$/;

/**
 * `name=value`, `--name=value`, `"name":"value"` and `{"a":1,"password":"x"}` inside one token: the value
 * of every name that is a credential's, up to its closing quote or the next separator. One pass: each
 * character is read as part of at most one name and one value.
 */
function redactAssignments(token: string): string {
  let out = '';
  let copied = 0;
  let index = 0;
  while (index < token.length) {
    if (!NAME_CHAR.test(token[index]!) || (index > 0 && NAME_CHAR.test(token[index - 1]!))) {
      index++;
      continue;
    }
    let end = index;
    while (end < token.length && NAME_CHAR.test(token[end]!)) end++;
    const name = token.slice(index, end);
    let cursor = end;
    if (token[cursor] === '"' || token[cursor] === "'") cursor++;
    if (token[cursor] !== ':' && token[cursor] !== '=') {
      index = end;
      continue;
    }
    cursor++;
    const quote = token[cursor] === '"' || token[cursor] === "'" ? token[cursor] : null;
    const valueStart = quote ? cursor + 1 : cursor;
    let valueEnd = valueStart;
    if (quote) {
      while (valueEnd < token.length && token[valueEnd] !== quote) valueEnd += token[valueEnd] === '\\' ? 2 : 1;
      valueEnd = Math.min(valueEnd, token.length);
    } else {
      while (valueEnd < token.length && !VALUE_END.has(token[valueEnd]!) && token[valueEnd] !== '"' && token[valueEnd] !== "'") valueEnd++;
    }
    const value = token.slice(valueStart, valueEnd);
    if (value !== '' && SECRET_NAME.test(name) && !NOT_A_VALUE.test(value)) {
      out += `${token.slice(copied, valueStart)}${REDACTED}`;
      copied = valueEnd;
    }
    index = Math.max(valueEnd, index + 1);
  }
  return out + token.slice(copied);
}

/**
 * `scheme://user:password@host` -> `scheme://<redacted>@host`. The user information ends at the last `@`
 * before the host's end (`/`, `?`, `#`); each stretch of text is read once.
 */
function redactUserInfo(token: string): string {
  let at = token.indexOf('://');
  if (at === -1) return token;
  let out = '';
  let copied = 0;
  while (at !== -1) {
    const start = at + 3;
    let end = start;
    let lastAt = -1;
    for (; end < token.length; end++) {
      const char = token[end];
      if (char === '/' || char === '?' || char === '#') break;
      if (char === '@') lastAt = end;
    }
    if (lastAt > start) {
      out += `${token.slice(copied, start)}${REDACTED}`;
      copied = lastAt;
    }
    at = token.indexOf('://', Math.max(end, start));
  }
  return out + token.slice(copied);
}

/** Values of query parameters with a credential's name: `?token=abc&x=1` -> `?token=<redacted>&x=1`. */
function redactQuery(token: string): string {
  const query = token.indexOf('?');
  if (query === -1) return token;
  const pairs = token.slice(query + 1).split(/([&;])/);
  for (let index = 0; index < pairs.length; index += 2) {
    const pair = pairs[index]!;
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    let name = pair.slice(0, eq);
    try {
      name = decodeURIComponent(name);
    } catch {
      // as written
    }
    if ((SECRET_NAME.test(name) || /^(?:sig|x-amz-(?:signature|credential|security-token)|code|state)$/i.test(name)) && !NOT_A_VALUE.test(pair.slice(eq + 1)) && !NOT_A_VALUE.test(withoutTrailing(pair.slice(eq + 1), `"'>)]`))) {
      pairs[index] = `${pair.slice(0, eq + 1)}${REDACTED}${trailingOf(pair.slice(eq + 1), `"'>)]`)}`;
    }
  }
  return `${token.slice(0, query + 1)}${pairs.join('')}`;
}

function withoutTrailing(value: string, closers: string): string {
  return value.slice(0, value.length - trailingOf(value, closers).length);
}

/** The closing punctuation a value ends with (quotes, brackets), kept around the redaction. */
function trailingOf(value: string, closers: string): string {
  let start = value.length;
  while (start > 0 && closers.includes(value[start - 1]!)) start--;
  return value.slice(start);
}

/** PEM private keys, from their BEGIN line to their END line. */
function redactKeyBlocks(text: string): string {
  const marker = '-----BEGIN ';
  let at = text.indexOf(marker);
  if (at === -1) return text;
  let out = '';
  let copied = 0;
  while (at !== -1) {
    const headerEnd = text.indexOf('-----', at + marker.length);
    if (headerEnd === -1) break;
    const label = text.slice(at + marker.length, headerEnd);
    if (label.length <= 40 && label.endsWith('PRIVATE KEY')) {
      const end = text.indexOf('-----END ', headerEnd + 5);
      const close = end === -1 ? -1 : text.indexOf('-----', end + 9);
      const stop = close === -1 ? text.length : close + 5;
      out += `${text.slice(copied, at)}${REDACTED}`;
      copied = stop;
      at = text.indexOf(marker, stop);
    } else {
      at = text.indexOf(marker, headerEnd + 5);
    }
  }
  return out + text.slice(copied);
}
