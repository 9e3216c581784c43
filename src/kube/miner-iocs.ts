import type { ImageRef } from './image-ref.js';
import { isPoolHost } from './mining-pools.js';

export { isPoolHost };

export type IndicatorKind = 'stratum-url' | 'miner-binary' | 'donate-level' | 'miner-flag' | 'pool-host' | 'pool-port' | 'ioc-image' | 'download-execute';

export interface Indicator {
  kind: IndicatorKind;
  /** What a reader should see in the report: `the miner binary xmrig`. */
  description: string;
}

// Falco's `miner_ports` list (falcosecurity/rules, sandbox set). Ports such as 8080 are ordinary on
// their own; they only add weight next to a pool host or a miner.
export const MINER_PORTS: ReadonlySet<number> = new Set([
  25, 3333, 3334, 3335, 3336, 3357, 4444, 5555, 5556, 5588, 5730, 6099, 6666, 7777, 7778, 8000, 8001, 8008, 8080, 8118, 8333, 8888,
  8899, 9332, 9999, 14433, 14444, 45560, 45700,
]);

// Falco's `miner_binaries` list plus the common variants of those names.
export const MINER_NAMES: readonly string[] = [
  'xmrig', 'xmr-stak', 'minerd', 'minergate', 'cpuminer', 'ccminer', 'ethminer', 'cgminer', 'bfgminer', 'sgminer', 'claymore',
  'nbminer', 't-rex', 'gminer', 'lolminer', 'phoenixminer', 'teamredminer', 'nanominer', 'bminer', 'wildrig', 'srbminer',
  'nheqminer',
];
// A miner's file name: the name, then perhaps a version, build words and an archive suffix
// (`xmrig-6.21.0-linux-static-x64.tar.gz`), but not another word (`t-rex-runner.js`).
const MINER_FILE = new RegExp(
  `^(${MINER_NAMES.map(escape).join('|')})(?:[-_.]v?\\d[\\w.]{0,40})?(?:[-_.](?:linux|lin64|linux64|x64|x86_64|amd64|arm64|aarch64|static|cuda\\d{0,3}|gpu|cpu|rx|multi|opt|cli|bin|nvidia|amd)){0,8}(?:\\.(?:tar\\.gz|tgz|tar\\.xz|zip|exe|sh))?$`,
  'i',
);
// Some miner's name somewhere in the text: only then is it worth cutting the text into tokens.
const MINER_NAME = new RegExp(MINER_NAMES.map(escape).join('|'), 'i');
// A file name is at most 255 characters on every common file system; the pattern above backtracks on
// long tokens, so longer ones (which no binary has) are not tried.
const MAX_FILE_NAME = 255;

// The 2020 Kubeflow campaign's XMRig image, as reported by Microsoft.
const IOC_IMAGES = /(?:^|\/)ddsfdfsaadfs\/dfsdf$/;

const STRATUM = /stratum[12]?\+(?:tcp|ssl|tls)(?::\/\/[^\s'"`;|&<>)]*)?/gi;
const DONATE_LEVEL = /(?:^|[\s'"=])--donate-level\b/;
// Flags only XMRig (and its forks) take: its CPU and RandomX tuning, the rig id, and the coin it mines.
const XMRIG_FLAG = /(?:^|[\s'"=])(--(?:cpu-max-threads-hint|randomx-mode|randomx-1gb-pages|randomx-no-numa|rig-id)\b|--coin[= ](?:monero|xmr)\b)/i;
// XMRig's donate-level as a config file sets it: `"donate-level": 1` (JSON), `donate-level: 1`, `donate-level=1`.
const DONATE_LEVEL_KEY = /(?:^|[\s{,"'])donate-level["']?[ \t]{0,20}[:=]/m;
// A config file shaped like a miner's: the keys XMRig, XMR-Stak and friends read.
const MINER_CONFIG_KEYS = /\b(?:pools|algo|coin|rig-id|wallet|randomx|cpu-max-threads-hint|nicehash)["']?[ \t]{0,20}[:=]/;
// Detection rules (Falco, Sigma) name pools and Stratum URLs to catch miners, not to run one. Blanks are
// spaces and tabs, bounded: `\s*` after `^` would run on across new lines from every line start.
const DETECTION_RULES =
  /^[ \t]{0,40}-[ \t]{0,20}(?:rule|macro|list|required_engine_version)[ \t]{0,20}:|^[ \t]{0,40}detection[ \t]{0,20}:[ \t]{0,20}$|^[ \t]{0,40}rule[ \t]{1,20}\w{1,100}[ \t]{0,20}[:{]/m;
const HOST = /(?<![\w.-])((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{1,62})(?::(\d{1,5}))?/gi;
const IPV4_PORT = /(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}:(\d{1,5})\b/g;
const TOKEN_SEPARATORS = /[\s;|&()<>'"`=,]+/;
// What runs downloaded text: a shell, or any interpreter that reads a program from standard input
// (`python3 -`, `perl`, `node`, `ruby`, ...), perhaps behind sudo or env, perhaps by full path. Anchored at
// the start of a pipeline stage and bounded, so each stage costs a bounded number of steps.
const INTERPRETER = String.raw`(?:sudo\s{1,20}(?:-\S{1,20}\s{1,20}){0,5})?(?:env\s{1,20}(?:\w{1,40}=\S{0,200}\s{1,20}){0,5})?(?:\/[\w./-]{0,100}\/)?((?:ba|da|z|k|a)?sh|python[0-9.]{0,5}|perl|node(?:js)?|ruby|php|lua)\b`;
const PIPED_INTERPRETER = new RegExp(String.raw`^\s{0,20}` + INTERPRETER, 'i');
const DOWNLOADER = /\b(curl|wget)\b/i;
const BASE64_DECODE = /\bbase64\s{1,20}(?:-\w{0,10}d\w{0,10}|--decode)\b/i;
// `bash <(curl ...)`, `source <(wget -qO- ...)`.
const PROCESS_SUBSTITUTION = /(?:\b((?:ba|z|k)?sh)|\b(source)|(?:^|[\s;&|])(\.))\s{1,20}<\(\s{0,20}(curl|wget)\b/i;
// `python -c "$(curl ...)"`, `bash -c "$(wget -qO- ...)"`, `eval "$(curl ...)"`.
const COMMAND_SUBSTITUTION = /\b(?:((?:ba|da|z|k)?sh|python[0-9.]{0,5}|perl|ruby|node)\s{1,20}-[ce]|(eval))\s{1,20}["']?(?:\$\(|`)\s{0,20}(curl|wget)\b/i;
const DOWNLOAD = /\b(curl|wget)\b|urlretrieve|urlopen|urllib\.request|requests\.get/i;
// Every repetition is bounded: an unbounded one, retried from every `chmod`, is quadratic in the text.
const CHMOD =
  /\bchmod\s{1,20}(?:-\w{1,20}\s{1,20}){0,5}([ugoa]{0,4}[+=][rwxst]{0,6}|[0-7]{3,4})\s{1,20}(['"]?)([^\s'";&|]{1,255})\2|os\.chmod\s{0,20}\(\s{0,20}['"]([^'"]{1,255})['"]\s{0,20},\s{0,20}(0o?[0-7]{1,6})/gi;
// A file made executable is looked for as a command this far on, among this many files: scripts run what
// they download a few lines later, and hostile text with thousands of chmods costs linear time.
const RUN_WINDOW = 4096;
const MAX_CHMOD_TARGETS = 50;

export interface TextOptions {
  /** Inside an ML image, where download-and-execute one-liners were the 2021 pattern. */
  mlImage: boolean;
  /** The text is a file the container reads (a mounted ConfigMap or Secret key): config-file forms count. */
  configFile?: boolean;
  /** The text is a Secret's value: say what was found, never the value. */
  redact?: boolean;
}

/**
 * Crypto-miner indicators in one piece of container text (a command entry, an argument, an env value, a
 * script, a mounted config file): Stratum URLs, miner binaries, XMRig's `--donate-level`, pool hosts and,
 * next to those, pool ports; download-and-execute one-liners only inside ML images, where they were the
 * 2021 pattern and where an installer one-liner has no business. In a config file, XMRig's
 * `donate-level` key counts, and a pool host counts when the file is shaped like a miner's config;
 * detection rules (Falco, Sigma), which name pools to catch miners, carry none.
 */
export function indicatorsInText(text: string, options: TextOptions): Indicator[] {
  if (options.configFile && DETECTION_RULES.test(text)) return [];
  const found: Indicator[] = [];
  const redact = options.redact === true;
  const stratum = [...text.matchAll(STRATUM)].map((m) => m[0]);
  for (const url of unique(stratum)) found.push({ kind: 'stratum-url', description: redact ? 'a Stratum mining URL' : `the Stratum mining URL ${excerpt(url)}` });

  const binaries = unique(
    (MINER_NAME.test(text) ? text.split(TOKEN_SEPARATORS) : [])
      .map((token) => basename(token))
      .map((name) => (name.length <= MAX_FILE_NAME ? MINER_FILE.exec(name)?.[1]?.toLowerCase() : undefined))
      .filter((name): name is string => name !== undefined),
  );
  for (const name of binaries) found.push({ kind: 'miner-binary', description: redact ? 'a miner binary name' : `the miner binary ${name}` });
  const flag = XMRIG_FLAG.exec(text)?.[1];
  if (flag) found.push({ kind: 'miner-flag', description: `the XMRig flag ${flag.split(/[= ]/)[0]}` });
  if (DONATE_LEVEL.test(text) || (options.configFile && DONATE_LEVEL_KEY.test(text))) {
    found.push({ kind: 'donate-level', description: options.configFile && !DONATE_LEVEL.test(text) ? "XMRig's donate-level setting" : 'the XMRig flag --donate-level' });
  }

  const hosts = [...text.matchAll(HOST)].map((m) => ({ host: m[1]!.toLowerCase(), port: m[2] === undefined ? null : Number(m[2]) }));
  const minerShaped = !options.configFile || found.length > 0 || MINER_CONFIG_KEYS.test(text);
  const pools = minerShaped ? unique(hosts.filter((h) => isPoolHost(h.host)).map((h) => h.host)) : [];
  if (redact && pools.length > 0) found.push({ kind: 'pool-host', description: pools.length === 1 ? 'a known mining pool host' : `${pools.length} known mining pool hosts` });
  else for (const host of pools) found.push({ kind: 'pool-host', description: `the mining pool ${host}` });
  if (found.length > 0) {
    const candidates = [...hosts.map((h) => h.port), ...[...text.matchAll(IPV4_PORT)].map((m) => Number(m[1]))];
    const ports = unique(candidates.filter((p): p is number => p !== null && MINER_PORTS.has(p)).map(String));
    if (ports.length > 0) found.push({ kind: 'pool-port', description: redact ? 'a pool port' : `pool port ${ports.join(', ')}` });
  }
  if (options.mlImage) {
    const oneLiner = downloadAndExecute(text);
    if (oneLiner) found.push({ kind: 'download-execute', description: `a download-and-execute one-liner (${oneLiner})` });
  }
  return found;
}

/** Indicators in an image reference: a miner image, or the 2020 campaign's image. */
export function indicatorsInImage(ref: ImageRef): Indicator[] {
  if (IOC_IMAGES.test(ref.repository)) {
    return [{ kind: 'ioc-image', description: `the XMRig image of the 2020 Kubeflow campaign (${ref.repository})` }];
  }
  const segment = ref.repository.split('/').find((part) => part.length <= MAX_FILE_NAME && MINER_FILE.test(part));
  return segment ? [{ kind: 'miner-binary', description: `a miner image (${ref.repository})` }] : [];
}

/**
 * Downloaded code run at once: piped into a shell or any interpreter (`| sh`, `| python3 -`, `| perl`),
 * run through process or command substitution (`bash <(curl ...)`, `python -c "$(curl ...)"`), decoded
 * base64 piped into one, or a download made executable and then run.
 */
function downloadAndExecute(text: string): string | null {
  const piped = pipedToInterpreter(text);
  if (piped) return piped;
  const substitution = PROCESS_SUBSTITUTION.exec(text);
  if (substitution) return `${substitution[4]!.toLowerCase()} output run by ${substitution[1] ?? substitution[2] ?? 'source'} through process substitution`;
  const command = COMMAND_SUBSTITUTION.exec(text);
  if (command) return `${command[3]!.toLowerCase()} output run by ${command[2] ?? `${command[1]} -c`} through command substitution`;
  const download = DOWNLOAD.exec(text);
  if (!download) return null;
  const seen = new Set<string>();
  for (const match of text.matchAll(CHMOD)) {
    const mode = match[1] ?? match[5] ?? '';
    const target = match[3] ?? match[4] ?? '';
    if (!(/x/i.test(mode) || /[1357]/.test(mode.replace(/^0o?/, ''))) || seen.has(target)) continue;
    seen.add(target);
    // Made executable and run afterwards: the path, or its name as a command. A tool installed for later
    // use (gVisor's runsc in KubeRay's sandbox sample) is not run here.
    const end = match.index + match[0].length;
    if (ranAfter(text.slice(end, end + RUN_WINDOW), target)) return `downloads with ${download[0].toLowerCase()}, then chmod ${match[1] ?? mode} and runs it`;
    if (seen.size >= MAX_CHMOD_TARGETS) break;
  }
  return null;
}

/**
 * A download (or base64-decoded text) piped into a shell or interpreter within one command (commands split
 * at new lines, `;` and `&`): a pipeline stage that downloads or decodes, and the next stage's program.
 * Each character is read a bounded number of times.
 */
function pipedToInterpreter(text: string): string | null {
  // Most text downloads and decodes nothing: no need to cut it into commands and stages.
  if (!DOWNLOADER.test(text) && !BASE64_DECODE.test(text)) return null;
  for (const command of text.split(/[\n;&]/)) {
    const stages = command.split('|');
    for (let index = 0; index + 1 < stages.length; index++) {
      const stage = stages[index]!;
      const download = DOWNLOADER.exec(stage);
      const decode = download ? null : BASE64_DECODE.exec(stage);
      if (!download && !decode) continue;
      const program = PIPED_INTERPRETER.exec(stages[index + 1]!.slice(0, 400))?.[1];
      if (!program) continue;
      return download ? `${download[1]!.toLowerCase()} output piped to ${runner(program)}` : `base64-decoded text piped to ${runner(program)}`;
    }
  }
  return null;
}

function runner(name: string): string {
  return /sh$/i.test(name) ? 'a shell' : name.toLowerCase();
}

function ranAfter(rest: string, target: string): boolean {
  const name = basename(target);
  return rest.includes(target) || (name.length > 1 && new RegExp(`(?:^|[\\s;&|'"(])(?:\\./)?${escape(name)}(?:$|[\\s;&|'")])`).test(rest));
}

function basename(token: string): string {
  const slash = token.lastIndexOf('/');
  return slash === -1 ? token : token.slice(slash + 1);
}

function excerpt(text: string): string {
  return text.length > 100 ? `${text.slice(0, 97)}...` : text;
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
}
