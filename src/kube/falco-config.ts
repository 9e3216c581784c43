import { parse } from 'yaml';
import { asArray, asObject, asString, type JsonObject } from '../core/json.js';
import type { ContainerSite, Inventory, PodTemplateSite, RelatedLocation, Resource } from '../core/types.js';
import { MINER_PROCESS_RULE, POOL_RULE, STRATUM_RULE, parseRulesFile, type RulesFile, type Selection, type SourceLocation } from './falco-rules.js';
import { parseImageRef } from './image-ref.js';
import { containerFiles, type ContainerFiles, type FileSource } from './pod-files.js';
import { imagePath } from './runtime-sensors.js';
import { append } from '../core/arrays.js';
import { trimEnd } from '../core/text-scan.js';

/** What a Falco instance loads, as far as its manifests show. */
export interface FalcoRuleSources {
  /** Rules files in load order, with their items. */
  files: RulesFile[];
  /** Rules sources whose content kfscan cannot see (a hostPath, a ConfigMap missing from the input, an unknown artifact). */
  unknown: string[];
  /** Rules artifacts falcoctl installs that Falco does not load (not under `rules_files`). */
  notLoaded: string[];
  selection: Selection[];
  minimumPriority: string | null;
  /** The stable upstream set is loaded: since falco-rules 2.0 it holds no miner rule. */
  stableSetOnly: boolean;
  /** Rules paths Falco reads as directories (every file in them is loaded), in load order. */
  directories: string[];
  related: RelatedLocation[];
  /** Where the list of rules files is (falco.yaml `rules_files`, `-r`), when the input holds it. */
  rulesListAt: SourceLocation | null;
  /** Where falcoctl's artifact references are (its config's `refs`, its command line, an operator Rulesfile). */
  artifactsAt: SourceLocation | null;
  /** Where falco.yaml's minimum `priority` is set. */
  priorityAt: SourceLocation | null;
}

function emptySources(): FalcoRuleSources {
  return { files: [], unknown: [], notLoaded: [], selection: [], minimumPriority: null, stableSetOnly: false, directories: [], related: [], rulesListAt: null, artifactsAt: null, priorityAt: null };
}

interface Artifact {
  ref: string;
  name: string;
  tag: string | null;
  /** Where the artifact's file lands, as seen from the Falco container. */
  path: string;
}

const DEFAULT_CONFIG = '/etc/falco/falco.yaml';
const DEFAULT_RULES_FILES = ['/etc/falco/falco_rules.yaml', '/etc/falco/falco_rules.local.yaml', '/etc/falco/rules.d'];
const DEFAULT_FALCOCTL_CONFIG = '/etc/falcoctl/falcoctl.yaml';
const FALCOCTL_IMAGE = /(?:^|\/)falcosecurity\/falcoctl$/;
// The rules split of falco-rules 2.0.0 shipped with Falco 0.36: older images and artifacts carry the
// miner rules in falco_rules.yaml.
const FIRST_SPLIT_FALCO_MINOR = 36;

/**
 * The rules a chart- or manifest-deployed Falco loads: its falco.yaml (mounted or the image's defaults)
 * with `config_files`, `rules_files`/`rules_file` and `rules:` selection; command-line `-c`, `-r`, `-o`,
 * `-D`, `-T` and `-t`; the ConfigMaps mounted where those files are; and the rules artifacts that falcoctl
 * installs into a volume Falco shares, by artifact name and version.
 */
export function chartFalcoRuleSources(pod: PodTemplateSite, falco: ContainerSite, inventory: Inventory): FalcoRuleSources {
  const sources = emptySources();
  const fs = containerFiles(falco, inventory);
  const argv = [...asArray(falco.container['command']), ...asArray(falco.container['args'])].filter((a): a is string => typeof a === 'string');
  const argsAt: SourceLocation = { resource: falco.pod.resource, path: [...falco.path, falco.container['args'] !== undefined ? 'args' : 'command'] };
  const version = falcoMinorVersion(falco);

  const configPath = optionValues(argv, ['-c', '--config'])[0] ?? DEFAULT_CONFIG;
  const mainConfig = fs.file(configPath);
  const config: JsonObject = { ...(readConfig(mainConfig, configPath, sources) ?? {}) };
  const configAt: SourceLocation | null = mainConfig.kind === 'configmap' ? { resource: mainConfig.configMap, path: ['data', mainConfig.key] } : null;
  for (const extra of listOf(config['config_files'])) {
    for (const file of [fs.file(extra), ...fs.directory(extra).files.map((f) => f.source)]) {
      if (file.kind === 'configmap') Object.assign(config, readConfig(file, extra, sources) ?? {});
    }
  }
  for (const [key, value] of optionValues(argv, ['-o', '--option']).map(splitOption)) {
    if (key === 'priority') config['priority'] = value;
  }

  const cliRules = optionValues(argv, ['-r']);
  const rulesKey = config['rules_files'] !== undefined ? 'rules_files' : config['rules_file'] !== undefined ? 'rules_file' : null;
  const rulesPaths = cliRules.length > 0 ? cliRules : listOf(rulesKey ? config[rulesKey] : undefined);
  sources.rulesListAt = cliRules.length > 0 ? argsAt : rulesKey && configAt ? { resource: configAt.resource, path: [...configAt.path, rulesKey] } : null;
  const artifacts = falcoctlArtifacts(pod, falco, inventory, sources);
  const loadedArtifacts = new Set<Artifact>();

  for (const rulesPath of rulesPaths.length > 0 ? rulesPaths : DEFAULT_RULES_FILES) {
    const file = fs.file(rulesPath);
    const directory = fs.directory(rulesPath);
    const landing = artifacts.filter((a) => a.path === rulesPath || parentOf(a.path) === rulesPath);
    // An opaque volume cannot say whether a path is a file or a directory; Falco's rules files are YAML.
    const isDirectory = file.kind !== 'configmap' && (!/\.ya?ml$/i.test(rulesPath) || directory.files.length > 0 || landing.some((a) => a.path !== rulesPath));
    if (!isDirectory) {
      const artifact = landing.find((a) => a.path === rulesPath);
      if (artifact) {
        loadArtifact(artifact, sources);
        loadedArtifacts.add(artifact);
      } else loadFile(rulesPath, file, version, sharesVolume(fs, file, artifacts), sources);
      continue;
    }
    sources.directories.push(rulesPath);
    const entries = [
      ...directory.files.map((f) => ({ path: f.path, load: () => loadFile(f.path, f.source, version, false, sources) })),
      ...landing.map((a) => ({ path: a.path, load: () => (loadArtifact(a, sources), loadedArtifacts.add(a)) })),
    ].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    for (const entry of entries) entry.load();
    for (const opaque of directory.opaque) {
      if (!sharesVolume(fs, opaque, artifacts)) sources.unknown.push(describeSource(rulesPath, opaque));
    }
  }
  for (const artifact of artifacts) {
    if (!loadedArtifacts.has(artifact) && artifact.name.endsWith('-rules')) {
      sources.notLoaded.push(`${artifact.ref} is installed to ${artifact.path}, which rules_files does not list`);
    }
  }

  sources.minimumPriority = asString(config['priority']);
  if (optionValues(argv, ['-o', '--option']).some((o) => o.startsWith('priority='))) sources.priorityAt = argsAt;
  else if (configAt && config['priority'] !== undefined) sources.priorityAt = { resource: configAt.resource, path: [...configAt.path, 'priority'] };
  append(sources.selection, configSelection(config['rules'], 'falco.yaml rules:', configAt ? { resource: configAt.resource, path: [...configAt.path, 'rules'] } : null));
  append(sources.selection, commandLineSelection(argv).map((selection) => ({ ...selection, location: argsAt })));
  return sources;
}

/**
 * The rules of a Falco run by the Falco operator: its `Rulesfile` objects in the same namespace (OCI
 * artifact, inline rules, ConfigMap `rules.yaml`), in priority order, and the `rules:` selection of its
 * `Config` objects.
 */
export function operatorFalcoRuleSources(namespace: string, inventory: Inventory): FalcoRuleSources {
  const sources = emptySources();
  for (const rulesfile of byPriority(inventory.inNamespace('artifact.falcosecurity.dev/Rulesfile', namespace))) {
    const spec = asObject(rulesfile.obj['spec']) ?? {};
    const label = `Rulesfile ${namespace}/${rulesfile.ref.name}`;
    const image = asObject(asObject(spec['ociArtifact'])?.['image']);
    const repository = asString(image?.['repository']);
    if (repository) {
      const name = repository.slice(repository.lastIndexOf('/') + 1);
      const tag = asString(image?.['tag']) ?? 'latest';
      sources.artifactsAt ??= { resource: rulesfile, path: ['spec', 'ociArtifact', 'image'] };
      loadArtifact({ ref: `${name}:${tag}`, name, tag, path: label }, sources, `${label} OCI artifact ${name}:${tag}`);
    }
    const inline = asArray(spec['inlineRules']);
    if (inline.length > 0) sources.files.push({ label: `${label} inlineRules`, items: inline, location: { resource: rulesfile, path: ['spec', 'inlineRules'] } });
    const mapName = asString(asObject(spec['configMapRef'])?.['name']);
    if (mapName) {
      const configMap = inventory.get('ConfigMap', namespace, mapName);
      const text = asString(asObject(configMap?.obj['data'])?.['rules.yaml']);
      if (configMap && text !== null) {
        sources.files.push({ label: `ConfigMap ${namespace}/${mapName} key rules.yaml of ${label}`, items: parseRulesFile(text), location: { resource: configMap, path: ['data', 'rules.yaml'] } });
        sources.related.push({ resource: configMap, path: ['data', 'rules.yaml'], note: 'Falco rules' });
      } else sources.unknown.push(`ConfigMap ${namespace}/${mapName} of ${label} (not in the input)`);
    }
  }
  for (const configObject of byPriority(inventory.inNamespace('artifact.falcosecurity.dev/Config', namespace))) {
    const spec = asObject(configObject.obj['spec']) ?? {};
    append(sources.selection, configSelection(asObject(spec['config'])?.['rules'], `Config ${namespace}/${configObject.ref.name} rules:`, { resource: configObject, path: ['spec', 'config', 'rules'] }));
  }
  return sources;
}

function loadFile(path: string, file: FileSource, version: number | null, falcoctlManaged: boolean, sources: FalcoRuleSources): void {
  switch (file.kind) {
    case 'configmap':
      sources.files.push({
        label: `${path} from ConfigMap ${file.configMap.ref.namespace}/${file.configMap.ref.name} key ${file.key}`,
        items: parseRulesFile(file.text),
        location: { resource: file.configMap, path: ['data', file.key] },
      });
      sources.related.push({ resource: file.configMap, path: ['data', file.key], note: `Falco rules file ${path}` });
      return;
    case 'image':
      // The image's own rules: only falco_rules.yaml holds upstream rules, and which ones depends on the release.
      if (baseName(path) === 'falco_rules.yaml') {
        if (version !== null && version < FIRST_SPLIT_FALCO_MINOR) sources.files.push({ label: `${path} built into the Falco image`, items: LEGACY_MINER_RULES });
        else sources.stableSetOnly = true;
      }
      return;
    case 'volume':
      // A file on the volume falcoctl fills that no artifact provides does not exist.
      if (!falcoctlManaged) sources.unknown.push(describeSource(path, file));
      return;
    case 'missing-configmap':
      sources.unknown.push(describeSource(path, file));
      return;
    case 'absent':
      return;
  }
}

function loadArtifact(artifact: Artifact, sources: FalcoRuleSources, label = `${artifact.path} from falcoctl artifact ${artifact.ref}`): void {
  const major = majorVersion(artifact.tag);
  switch (artifact.name) {
    case 'falco-rules':
      if (major !== null && major < 2) sources.files.push({ label, items: LEGACY_MINER_RULES });
      else sources.stableSetOnly = true;
      return;
    case 'falco-sandbox-rules':
      sources.files.push({ label, items: sandboxRules(artifact.tag) });
      return;
    case 'falco-incubating-rules':
    case 'falco-deprecated-rules':
    case 'k8saudit-rules':
    case 'cloudtrail-rules':
    case 'github-rules':
    case 'okta-rules':
      return;
    default:
      if (artifact.name.endsWith('-rules')) sources.unknown.push(`rules artifact ${artifact.ref}`);
  }
}

/** falcoctl's artifact references (install and follow), and where their files land in the Falco container. */
function falcoctlArtifacts(pod: PodTemplateSite, falco: ContainerSite, inventory: Inventory, sources: FalcoRuleSources): Artifact[] {
  const artifacts: Artifact[] = [];
  for (const site of pod.containers) {
    const path = imagePath(site);
    if (site === falco || path === null || !FALCOCTL_IMAGE.test(path)) continue;
    const argv = asArray(site.container['args']).filter((a): a is string => typeof a === 'string');
    if (!argv.includes('artifact') || !(argv.includes('install') || argv.includes('follow'))) continue;
    const files = containerFiles(site, inventory);
    const configPath = optionValues(argv, ['--config'])[0] ?? DEFAULT_FALCOCTL_CONFIG;
    const configFile = files.file(configPath);
    let config: JsonObject = {};
    if (configFile.kind === 'configmap') {
      config = asObject(safeParse(configFile.text)) ?? {};
      if (!sources.related.some((r) => r.resource === configFile.configMap)) {
        sources.related.push({ resource: configFile.configMap, path: ['data', configFile.key], note: 'falcoctl artifact references' });
      }
    } else if (configFile.kind === 'missing-configmap') {
      sources.unknown.push(`falcoctl configuration ${configPath} (ConfigMap ${configFile.namespace}/${configFile.name} not in the input)`);
    }
    const artifactConfig = asObject(config['artifact']);
    const install = asObject(artifactConfig?.['install']);
    const follow = asObject(artifactConfig?.['follow']);
    const refs = [...listOf(install?.['refs']), ...listOf(follow?.['refs']), ...positionalRefs(argv)];
    if (!sources.artifactsAt && refs.length > 0) {
      const listed = listOf(install?.['refs']).length > 0 ? 'install' : listOf(follow?.['refs']).length > 0 ? 'follow' : null;
      sources.artifactsAt =
        listed && configFile.kind === 'configmap'
          ? { resource: configFile.configMap, path: ['data', configFile.key, 'artifact', listed, 'refs'] }
          : { resource: pod.resource, path: [...site.path, 'args'] };
    }
    const rulesDir = optionValues(argv, ['--rulesfiles-dir'])[0] ?? asString(install?.['rulesfilesDir']) ?? asString(follow?.['rulesfilesDir']) ?? '/etc/falco';
    const landing = landingDirectory(files.volumeAt(rulesDir), rulesDir, falco);
    if (landing === null) continue;
    for (const ref of refs) {
      const parsed = parseArtifactRef(ref);
      if (!parsed || artifacts.some((a) => a.ref === ref)) continue;
      artifacts.push({ ref, ...parsed, path: `${landing}/${artifactFileName(parsed.name)}` });
    }
  }
  return artifacts;
}

/** The falcoctl rules directory as the Falco container sees it, through the volume both mount. */
function landingDirectory(volume: { volumeName: string; mountPath: string } | null, rulesDir: string, falco: ContainerSite): string | null {
  if (!volume) return null;
  const below = rulesDir.slice(volume.mountPath.length);
  for (const entry of asArray(falco.container['volumeMounts'])) {
    const mount = asObject(entry);
    if (mount?.['name'] === volume.volumeName && typeof mount['mountPath'] === 'string' && !mount['subPath']) {
      return `${trimEnd(mount['mountPath'], '/')}${below}`;
    }
  }
  return null;
}

/** The opaque volume is the one falcoctl fills with artifacts, so its files are exactly those artifacts. */
function sharesVolume(fs: ContainerFiles, opaque: FileSource, artifacts: Artifact[]): boolean {
  if (opaque.kind !== 'volume') return false;
  return artifacts.some((a) => fs.volumeAt(a.path)?.volumeName === opaque.volume);
}

/** `falco-rules:5`, `ghcr.io/falcosecurity/rules/falco-sandbox-rules:4.0.0`, `falco-rules@sha256:...`. */
export function parseArtifactRef(ref: string): { name: string; tag: string | null } | null {
  const trimmed = ref.trim();
  if (trimmed === '') return null;
  const withoutDigest = trimmed.split('@')[0]!;
  const lastSlash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  const hasTag = colon > lastSlash;
  const name = withoutDigest.slice(lastSlash + 1, hasTag ? colon : undefined);
  return name === '' ? null : { name, tag: hasTag ? withoutDigest.slice(colon + 1) : null };
}

/** falcoctl names an artifact's file after it: `falco-sandbox-rules` -> `falco-sandbox_rules.yaml`. */
function artifactFileName(name: string): string {
  if (name === 'k8saudit-rules') return 'k8s_audit_rules.yaml';
  return `${name.replace(/-rules$/, '_rules')}.yaml`;
}

function readConfig(file: FileSource, path: string, sources: FalcoRuleSources): JsonObject | null {
  if (file.kind === 'configmap') {
    sources.related.push({ resource: file.configMap, path: ['data', file.key], note: `Falco configuration ${path}` });
    return asObject(safeParse(file.text));
  }
  if (file.kind === 'missing-configmap' || file.kind === 'volume') sources.unknown.push(`Falco configuration ${describeSource(path, file)}`);
  return null;
}

function configSelection(value: unknown, origin: string, at: SourceLocation | null): Selection[] {
  return asArray(value).flatMap((entry, index): Selection[] => {
    const command = asObject(entry);
    const location = at ? { location: { resource: at.resource, path: [...at.path, index] } } : {};
    for (const action of ['enable', 'disable'] as const) {
      const target = asObject(command?.[action]);
      const rule = asString(target?.['rule']);
      const tag = asString(target?.['tag']);
      if (rule !== null) return [{ action, rule, origin: `${origin} ${action} rule ${JSON.stringify(rule)}`, ...location }];
      if (tag !== null) return [{ action, tag, origin: `${origin} ${action} tag ${tag}`, ...location }];
    }
    return [];
  });
}

/** `-o rules[].disable.rule=X`, `-D substring`, `-T tag`, `-t tag` (only that tag), in that order. */
function commandLineSelection(argv: string[]): Selection[] {
  const selection: Selection[] = [];
  for (const [key, value] of optionValues(argv, ['-o', '--option']).map(splitOption)) {
    const match = /^rules\[\]\.(enable|disable)\.(rule|tag)$/.exec(key);
    if (!match || value === '') continue;
    const action = match[1] as 'enable' | 'disable';
    const origin = `-o ${key}=${value}`;
    selection.push(match[2] === 'rule' ? { action, rule: value, origin } : { action, tag: value, origin });
  }
  for (const substring of optionValues(argv, ['-D'])) selection.push({ action: 'disable', substring, origin: `-D ${substring}` });
  for (const tag of optionValues(argv, ['-T'])) selection.push({ action: 'disable', tag, origin: `-T ${tag}` });
  const only = optionValues(argv, ['-t']);
  if (only.length > 0) {
    selection.push({ action: 'disable', rule: '*', origin: `-t ${only.join(' -t ')} (only rules with those tags)` });
    for (const tag of only) selection.push({ action: 'enable', tag, origin: `-t ${tag}` });
  }
  return selection;
}

/** The values of an option written `-x value`, `-xvalue` (short) or `--long=value`. */
function optionValues(argv: string[], names: string[]): string[] {
  const values: string[] = [];
  argv.forEach((arg, index) => {
    for (const name of names) {
      if (arg === name && argv[index + 1] !== undefined) values.push(argv[index + 1]!);
      else if (name.startsWith('--') && arg.startsWith(`${name}=`)) values.push(arg.slice(name.length + 1));
      else if (!name.startsWith('--') && arg.startsWith(name) && arg.length > name.length && !arg.startsWith('--')) values.push(arg.slice(name.length));
    }
  });
  return values;
}

function splitOption(option: string): [string, string] {
  const equals = option.indexOf('=');
  return equals === -1 ? [option, ''] : [option.slice(0, equals), option.slice(equals + 1)];
}

/** References given on falcoctl's command line: the words after `install`/`follow` that are not flags. */
function positionalRefs(argv: string[]): string[] {
  const start = argv.findIndex((a) => a === 'install' || a === 'follow');
  if (start === -1) return [];
  const refs: string[] = [];
  for (let i = start + 1; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg.startsWith('-')) {
      if (!arg.includes('=') && i + 1 < argv.length && !argv[i + 1]!.startsWith('-') && FLAGS_WITH_VALUES.has(arg)) i++;
      continue;
    }
    refs.push(arg);
  }
  return refs;
}
const FLAGS_WITH_VALUES = new Set(['--config', '--rulesfiles-dir', '--plugins-dir', '--allowed-types', '--log-format', '--log-level', '--falco-versions', '--state-dir', '--every']);

function falcoMinorVersion(falco: ContainerSite): number | null {
  const image = asString(falco.container['image']);
  const tag = image === null ? null : parseImageRef(image)?.tag;
  const match = tag ? /^v?0\.(\d+)/.exec(tag) : null;
  return match ? Number(match[1]) : null;
}

function majorVersion(tag: string | null): number | null {
  const match = tag ? /^v?(\d+)/.exec(tag) : null;
  return match ? Number(match[1]) : null;
}

function byPriority(resources: readonly Resource[]): Resource[] {
  const priority = (r: Resource): number => {
    const value = asObject(r.obj['spec'])?.['priority'];
    return typeof value === 'number' ? value : 50;
  };
  return [...resources].sort((a, b) => priority(a) - priority(b) || (a.ref.name < b.ref.name ? -1 : 1));
}

function describeSource(path: string, file: FileSource): string {
  switch (file.kind) {
    case 'missing-configmap':
      return `${path} (ConfigMap ${file.namespace}/${file.name} not in the input)`;
    case 'volume':
      return `${path} (${file.volumeType} volume ${file.volume})`;
    default:
      return path;
  }
}

function listOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return asArray(value).filter((v): v is string => typeof v === 'string');
}

function safeParse(text: string): unknown {
  try {
    return parse(text, { maxAliasCount: 100, logLevel: 'error' });
  } catch {
    return null;
  }
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function parentOf(path: string): string {
  return path.slice(0, Math.max(path.lastIndexOf('/'), 0)) || '/';
}

// The miner rules as upstream ships them, for rules files kfscan knows by name and version but cannot
// read (an image's built-in file, a falcoctl artifact). Tags matter for `-T`/`-t` and `rules:` by tag.
const LEGACY_MINER_RULES: readonly unknown[] = [
  { rule: POOL_RULE, condition: 'net_miner_pool and not trusted_images_query_miner_domain_dns', enabled: false, priority: 'CRITICAL', tags: ['host', 'container', 'network', 'mitre_execution'] },
  { rule: STRATUM_RULE, condition: 'spawned_process and proc.cmdline contains "stratum+tcp"', priority: 'CRITICAL', tags: ['host', 'container', 'process', 'mitre_execution'] },
];

function sandboxRules(tag: string | null): unknown[] {
  const tags = (kind: string): string[] => ['maturity_sandbox', 'host', 'container', kind, 'mitre_impact', 'T1496'];
  const rules: unknown[] = [
    { rule: POOL_RULE, condition: 'net_miner_pool and not trusted_images_query_miner_domain_dns', enabled: false, priority: 'CRITICAL', tags: tags('network') },
    { rule: STRATUM_RULE, condition: 'spawned_process and proc.cmdline contains "stratum+tcp"', priority: 'CRITICAL', tags: tags('process') },
  ];
  // "Known Cryptominer Process Executed" arrived in falco-rules 5.1.0; a floating `5` or `latest` has it.
  const match = tag ? /^v?(\d+)(?:\.(\d+))?/.exec(tag) : null;
  const major = match ? Number(match[1]) : null;
  const minor = match?.[2] !== undefined ? Number(match[2]) : null;
  if (major === null || major > 5 || (major === 5 && (minor === null || minor >= 1))) {
    rules.push({ rule: MINER_PROCESS_RULE, condition: 'spawned_process and is_miner_process', priority: 'CRITICAL', tags: tags('process') });
  }
  return rules;
}
