import type { ImageRef } from './image-ref.js';

export type IndicatorKind = 'stratum-url' | 'miner-binary' | 'donate-level' | 'pool-host' | 'pool-port' | 'ioc-image' | 'download-execute';

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

// Falco's `miner_domains` list (falcosecurity/rules 5.x, rules/falco-sandbox_rules.yaml).
export const FALCO_MINER_DOMAINS: readonly string[] = [
  'asia1.ethpool.org', 'ca.minexmr.com', 'cn.stratum.slushpool.com', 'de.minexmr.com', 'eth-ar.dwarfpool.com', 'eth-asia.dwarfpool.com',
  'eth-asia1.nanopool.org', 'eth-au.dwarfpool.com', 'eth-au1.nanopool.org', 'eth-br.dwarfpool.com', 'eth-cn.dwarfpool.com',
  'eth-cn2.dwarfpool.com', 'eth-eu.dwarfpool.com', 'eth-eu1.nanopool.org', 'eth-eu2.nanopool.org', 'eth-hk.dwarfpool.com',
  'eth-jp1.nanopool.org', 'eth-ru.dwarfpool.com', 'eth-ru2.dwarfpool.com', 'eth-sg.dwarfpool.com', 'eth-us-east1.nanopool.org',
  'eth-us-west1.nanopool.org', 'eth-us.dwarfpool.com', 'eth-us2.dwarfpool.com', 'eu.stratum.slushpool.com', 'eu1.ethermine.org',
  'eu1.ethpool.org', 'fr.minexmr.com', 'mine.moneropool.com', 'mine.xmrpool.net', 'pool.minexmr.com', 'pool.monero.hashvault.pro',
  'pool.supportxmr.com', 'sg.minexmr.com', 'sg.stratum.slushpool.com', 'stratum-eth.antpool.com', 'stratum-ltc.antpool.com',
  'stratum-zec.antpool.com', 'stratum.antpool.com', 'us-east.stratum.slushpool.com', 'us1.ethermine.org', 'us1.ethpool.org',
  'us2.ethermine.org', 'us2.ethpool.org', 'xmr-asia1.nanopool.org', 'xmr-au1.nanopool.org', 'xmr-eu1.nanopool.org',
  'xmr-eu2.nanopool.org', 'xmr-jp1.nanopool.org', 'xmr-us-east1.nanopool.org', 'xmr-us-west1.nanopool.org', 'xmr.crypto-pool.fr',
  'xmr.pool.minergate.com', 'rx.unmineable.com', 'ss.antpool.com', 'dash.antpool.com', 'eth.antpool.com', 'zec.antpool.com',
  'xmc.antpool.com', 'btm.antpool.com', 'stratum-dash.antpool.com', 'stratum-xmc.antpool.com', 'stratum-btm.antpool.com',
];

// Pools rename their hosts by region and coin (xmr-eu1, eth-asia1, ...): any host under the operators of
// the Falco list counts, plus a few large pools the list predates.
const POOL_DOMAINS: readonly string[] = [
  'nanopool.org', 'minexmr.com', 'dwarfpool.com', 'ethermine.org', 'ethpool.org', 'slushpool.com', 'antpool.com', 'supportxmr.com',
  'hashvault.pro', 'moneropool.com', 'xmrpool.net', 'crypto-pool.fr', 'minergate.com', 'unmineable.com', 'moneroocean.stream',
  '2miners.com', 'f2pool.com', 'herominers.com', 'nicehash.com', 'c3pool.com', 'hiveon.net', 'flypool.org',
];
const EXACT_POOL_HOSTS = new Set(FALCO_MINER_DOMAINS);

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
// A file name is at most 255 characters on every common file system; the pattern above backtracks on
// long tokens, so longer ones (which no binary has) are not tried.
const MAX_FILE_NAME = 255;

// The 2020 Kubeflow campaign's XMRig image, as reported by Microsoft.
const IOC_IMAGES = /(?:^|\/)ddsfdfsaadfs\/dfsdf$/;

const STRATUM = /stratum[12]?\+(?:tcp|ssl|tls)(?::\/\/[^\s'"`;|&<>)]*)?/gi;
const DONATE_LEVEL = /(?:^|[\s'"=])--donate-level\b/;
const HOST = /(?<![\w.-])((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{1,62})(?::(\d{1,5}))?/gi;
const IPV4_PORT = /(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}:(\d{1,5})\b/g;
const TOKEN_SEPARATORS = /[\s;|&()<>'"`=,]+/;
// A download command, and a pipe into a shell after it in the same command (split at `\n`, `;`, `&`).
const DOWNLOADER = /\b(curl|wget)\b/i;
const PIPED_SHELL = /^\|\s{0,20}(?:sudo\s{1,20})?(?:ba|da|z|k|a)?sh\b/;
const DOWNLOAD = /\b(curl|wget)\b|urlretrieve|urlopen|urllib\.request|requests\.get/i;
// Every repetition is bounded: an unbounded one, retried from every `chmod`, is quadratic in the text.
const CHMOD = /\bchmod\s{1,20}(?:-\w{1,20}\s{1,20}){0,5}([ugoa]{0,4}[+=][rwxst]{0,6}|[0-7]{3,4})\b|os\.chmod\s{0,20}\([^)]{0,200}?,\s{0,20}(0o?[0-7]{1,6})/gi;

/**
 * Crypto-miner indicators in one piece of container text (a command entry, an argument, an env value, a
 * script): Stratum URLs, miner binaries, XMRig's `--donate-level`, pool hosts and, next to those, pool
 * ports; download-and-execute one-liners only inside ML images, where they were the 2021 pattern and
 * where an installer one-liner has no business.
 */
export function indicatorsInText(text: string, options: { mlImage: boolean }): Indicator[] {
  const found: Indicator[] = [];
  const stratum = [...text.matchAll(STRATUM)].map((m) => m[0]);
  for (const url of unique(stratum)) found.push({ kind: 'stratum-url', description: `the Stratum mining URL ${excerpt(url)}` });

  const binaries = unique(
    text
      .split(TOKEN_SEPARATORS)
      .map((token) => basename(token))
      .map((name) => (name.length <= MAX_FILE_NAME ? MINER_FILE.exec(name)?.[1]?.toLowerCase() : undefined))
      .filter((name): name is string => name !== undefined),
  );
  for (const name of binaries) found.push({ kind: 'miner-binary', description: `the miner binary ${name}` });
  if (DONATE_LEVEL.test(text)) found.push({ kind: 'donate-level', description: 'the XMRig flag --donate-level' });

  const hosts = [...text.matchAll(HOST)].map((m) => ({ host: m[1]!.toLowerCase(), port: m[2] === undefined ? null : Number(m[2]) }));
  const pools = unique(hosts.filter((h) => isPoolHost(h.host)).map((h) => h.host));
  for (const host of pools) found.push({ kind: 'pool-host', description: `the mining pool ${host}` });
  if (found.length > 0) {
    const candidates = [...hosts.map((h) => h.port), ...[...text.matchAll(IPV4_PORT)].map((m) => Number(m[1]))];
    const ports = unique(candidates.filter((p): p is number => p !== null && MINER_PORTS.has(p)).map(String));
    if (ports.length > 0) found.push({ kind: 'pool-port', description: `pool port ${ports.join(', ')}` });
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

export function isPoolHost(host: string): boolean {
  const name = host.toLowerCase();
  return EXACT_POOL_HOSTS.has(name) || POOL_DOMAINS.some((domain) => name === domain || name.endsWith(`.${domain}`));
}

/** `curl ... | sh`, or a download followed by giving a file the execute bit. */
function downloadAndExecute(text: string): string | null {
  const piped = pipedDownload(text);
  if (piped) return `${piped} output piped to a shell`;
  const download = DOWNLOAD.exec(text);
  if (!download) return null;
  for (const match of text.matchAll(CHMOD)) {
    const mode = match[1] ?? match[2] ?? '';
    if (/x/i.test(mode) || /[1357]/.test(mode.replace(/^0o?/, ''))) return `downloads with ${download[0].toLowerCase()}, then chmod ${match[1] ?? mode}`;
  }
  return null;
}

/**
 * `curl ... | sh` within one command (commands split at new lines, `;` and `&`): a stage of a pipeline
 * that downloads, and the next stage a shell. Each character is read a bounded number of times.
 */
function pipedDownload(text: string): string | null {
  for (const command of text.split(/[\n;&]/)) {
    const stages = command.split('|');
    for (let index = 0; index + 1 < stages.length; index++) {
      const download = DOWNLOADER.exec(stages[index]!);
      if (download && PIPED_SHELL.test(`|${stages[index + 1]!.slice(0, 80)}`)) return download[1]!.toLowerCase();
    }
  }
  return null;
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
