// Redaction of excerpt lines. An excerpt quotes a manifest, and manifests hold credentials in every shape:
// Secret data, passwords in ConfigMaps, environment values, command-line flags, config files inside
// strings. Four layers, each enough for what it covers, so that one missed shape is caught by another:
// values known to be secret from the objects themselves (secret-values.ts), the data of Secret documents
// found in the file, keys, flags and environment names that say "secret", and credential-shaped text
// (JWTs, bcrypt hashes, private keys, long opaque tokens; src/probe/redact.ts).
import { redactText } from '../probe/redact.js';
import { re2js } from '../kube/re2.js';
import { REDACTED } from '../render/redact.js';

export { REDACTED };

/** Key, flag and variable names whose values are credentials. `secretName`, `tokenPath` or `key` are not. */
const SECRET_NAME = /(?:pass(?:word|wd|phrase)?|pwd|pw|secret|token|api[-_]?key|access[-_]?key|secret[-_]?key|private[-_]?key|credentials?|cookie|hash|auth)$/i;
/** Short flags that take a password in the tools miners and databases use (`xmrig -p`, `mysql -p`). */
const PASSWORD_FLAGS = new Set(['-p', '--pass', '-P']);

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name.replace(/^-+/, ''));
}

export interface LineRedactor {
  /** The lines of the window, redacted, given the line numbers (1-based) they have in the file. */
  (lines: readonly string[], firstLine: number): string[];
}

export interface RedactionFacts {
  /** The whole file, to see which document a line belongs to. */
  text: string;
  /** Every value the objects show to be secret (secret-values.ts). */
  knownValues: readonly string[];
  /** The finding is on a Secret, or the file is not YAML or JSON (an env file of a secretGenerator): every value goes. */
  allValues: boolean;
}

/** A redactor for the windows of one file. */
export function lineRedactor(facts: RedactionFacts): LineRedactor {
  const fileLines = facts.text.split(/\r?\n/);
  const inSecretData = secretDataLines(fileLines);
  const inBlock = secretBlockLines(fileLines);
  const known = knownValuePattern(facts.knownValues);
  return (lines, firstLine) =>
    lines.map((line, index) => {
      const number = firstLine + index;
      let out = known ? known(line) : line;
      if (inSecretData.has(number) || inBlock.has(number) || facts.allValues) out = valueRedacted(out, inBlock.has(number));
      out = namedValuesRedacted(out, fileLines[number - 2] ?? '');
      return credentialShapesRedacted(out);
    });
}

/** `key: value` keeps its key; a line of a block scalar or PEM body goes whole. */
function valueRedacted(line: string, whole: boolean): string {
  const indent = /^\s*(?:-\s+)?/.exec(line)![0];
  if (whole) return line.trim() === '' ? line : `${indent}${REDACTED}`;
  const pair = /^(\s*(?:-\s+)?"?[\w.@/-]+"?\s*[:=]\s*)(\S.*)$/.exec(line);
  if (pair && !/^[|>][-+]?\d*\s*$|^\{?\s*$/.test(pair[2]!)) return `${pair[1]}${REDACTED}`;
  if (pair) return line;
  return line.trim() === '' || /^\s*[-{}[\],]*\s*$/.test(line) || /^\s*(?:-\s+)?"?[\w.@/-]+"?\s*:\s*$/.test(line) ? line : `${indent}${REDACTED}`;
}

/**
 * Values under a name that says "secret": `password: x`, `"token": "x"`, `--cookie-secret=x`,
 * `client_secret = "x"`, `{name: DB_PASSWORD, value: x}`, a `value:` line after `- name: DB_PASSWORD`,
 * `[--password, x]` and `-p x`.
 */
function namedValuesRedacted(line: string, previous: string): string {
  let out = line.replace(/("?)([\w.-]+)\1(\s*[:=]\s*)("(?:[^"\\]|\\.)*"|'[^']*'|[^\s,}\]#][^,}\]#]*)/g, (match, quote: string, name: string, separator: string, value: string) =>
    isSecretName(name) && !/^[|>][-+]?\d*$/.test(value.trim()) ? `${quote}${name}${quote}${separator}${value.startsWith('"') ? `"${REDACTED}"` : REDACTED}` : match,
  );
  // Environment entries: the name says what the value is.
  const named = /\bname\s*:\s*"?([\w.-]+)"?/.exec(out);
  if (named && isSecretName(named[1]!)) out = out.replace(/(\bvalue\s*:\s*)("(?:[^"\\]|\\.)*"|'[^']*'|[^,}\s][^,}]*)/, `$1${REDACTED}`);
  const previousName = /^\s*-\s+name\s*:\s*"?([\w.-]+)"?\s*$/.exec(previous);
  if (previousName && isSecretName(previousName[1]!)) out = out.replace(/^(\s*value\s*:\s*)(\S.*)$/, `$1${REDACTED}`);
  // A flag and its value as two words of a list: `[-p, x]`, `- --password` then `- x`.
  out = out.replace(/([[,]\s*"?)(--?[\w-]+)("?\s*,\s*"?)([^,\]"]+)/g, (match, lead: string, flag: string, between: string) =>
    isSecretName(flag) || PASSWORD_FLAGS.has(flag) ? `${lead}${flag}${between}${REDACTED}` : match,
  );
  const previousFlag = /^\s*-\s+"?(--?[\w-]+)"?\s*$/.exec(previous);
  if (previousFlag && (isSecretName(previousFlag[1]!) || PASSWORD_FLAGS.has(previousFlag[1]!))) out = out.replace(/^(\s*-\s+)(\S.*)$/, `$1${REDACTED}`);
  out = out.replace(/(^|\s)(-p|--pass|-P)(\s+)(\S+)/g, `$1$2$3${REDACTED}`);
  return out;
}

/** The probe's redaction writes `[redacted]`; excerpts write one marker throughout. */
function credentialShapesRedacted(line: string): string {
  return redactText(line.replace(/\$2[abxy]?\$\d{2}\$[./A-Za-z0-9]{20,}/g, REDACTED)).replaceAll('[redacted]', REDACTED);
}

/** Lines inside the `data:` or `stringData:` of a Secret document (YAML documents, or a JSON object per file). */
function secretDataLines(lines: readonly string[]): Set<number> {
  const inside = new Set<number>();
  const documents: Array<[number, number]> = [];
  let start = 0;
  lines.forEach((line, index) => {
    if (/^---/.test(line)) {
      documents.push([start, index]);
      start = index + 1;
    }
  });
  documents.push([start, lines.length]);
  for (const [from, to] of documents) {
    const body = lines.slice(from, to);
    if (!body.some((line) => /^\s*(?:-\s+)?"?kind"?\s*:\s*"?Secret"?\s*,?\s*$/.test(line) || /"kind"\s*:\s*"Secret"/.test(line))) continue;
    let blockIndent: number | null = null;
    for (let index = from; index < to; index++) {
      const line = lines[index]!;
      const indent = /^\s*/.exec(line)![0].length;
      if (blockIndent !== null && (line.trim() === '' || indent > blockIndent || /^\s*[}\]]/.test(line))) {
        inside.add(index + 1);
        continue;
      }
      blockIndent = null;
      const key = /^(\s*)"?(data|stringData)"?\s*:(.*)$/.exec(line);
      if (key) {
        blockIndent = key[1]!.length;
        if (key[3]!.trim() !== '' && !/^\s*[{[]?\s*$/.test(key[3]!)) inside.add(index + 1);
      }
    }
  }
  return inside;
}

/** Lines of a block scalar under a secret-named key (`password: |`) and of PEM private keys: redacted whole. */
function secretBlockLines(lines: readonly string[]): Set<number> {
  const inside = new Set<number>();
  let blockIndent: number | null = null;
  let pem = false;
  lines.forEach((line, index) => {
    if (pem) {
      inside.add(index + 1);
      if (/-----END [A-Z ]*PRIVATE KEY-----/.test(line)) pem = false;
      return;
    }
    if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(line)) {
      pem = !/-----END [A-Z ]*PRIVATE KEY-----/.test(line);
      inside.add(index + 1);
      return;
    }
    const indent = /^\s*/.exec(line)![0].length;
    if (blockIndent !== null && (line.trim() === '' || indent > blockIndent)) {
      inside.add(index + 1);
      return;
    }
    blockIndent = null;
    const key = /^(\s*(?:-\s+)?)"?([\w.-]+)"?\s*:\s*[|>][-+]?\d*\s*$/.exec(line);
    if (key && isSecretName(key[2]!)) blockIndent = /^\s*/.exec(line)![0].length;
  });
  return inside;
}

/** One linear-time pass (RE2) per line for every known secret value; `null` when there are none. */
function knownValuePattern(values: readonly string[]): ((line: string) => string) | null {
  const unique = [...new Set(values)].filter((value) => value.length >= 4).sort((a, b) => b.length - a.length);
  if (unique.length === 0) return null;
  const { RE2JS } = re2js();
  const pattern = RE2JS.compile(unique.map((value) => RE2JS.quote(value)).join('|'));
  return (line) => (pattern.matcher(line).find() ? pattern.matcher(line).replaceAll(REDACTED) : line);
}
