import { scalarText } from '../core/json.js';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import type { FieldPath, KubeObject, SourceLocation } from '../core/types.js';
import { displayPath } from '../loaders/files.js';
import { isPlainObject, parseManifests } from '../loaders/manifest-parser.js';
import { locateInDocument } from '../loaders/yaml-locate.js';
import { runChild, type ChildLimits } from './child.js';
import type { KustomizationNode } from './discover.js';
import type { GeneratorFacts } from './kustomization-refs.js';
import type { KustomizePlan } from './preflight.js';
import { copiedSecretValues } from './redact.js';
import { toolErrorLine } from './tool-errors.js';
import { matchSource, renderedLocator, type PatchDocument, type SourceFiles } from './source-files.js';
import type { HelmTool, KustomizeTool } from './tools.js';
import type { RenderedRoot, RenderRoot } from './types.js';

const ORIGIN = 'config.kubernetes.io/origin';

export interface KustomizeContext {
  tool: KustomizeTool;
  helm: HelmTool | null;
  kustomizeHelm: boolean;
  env: Record<string, string>;
  /** A fresh temporary directory for this root's wrapper kustomization. */
  workDir: string;
  limits: ChildLimits;
  sources: SourceFiles;
  cwd: string;
}

/**
 * Builds a root with the real kustomize. kustomize names each object's source file when the build asks for
 * `originAnnotations`, which only a kustomization can ask; rather than write into the scanned tree, a
 * wrapper kustomization in a temporary directory includes the root as its only resource and asks for them.
 * The annotations are taken off again before any check sees the objects.
 */
export async function renderKustomize(root: RenderRoot, plan: KustomizePlan, context: KustomizeContext): Promise<RenderedRoot> {
  const rendered: RenderedRoot = { root, objects: [], failure: null, warnings: [], sourceFiles: new Set(), dirs: plan.nodes.map((node) => node.dir), copiedSecrets: [], namedFiles: new Set() };
  for (const node of plan.nodes) {
    for (const ref of node.facts?.refs ?? []) if (ref.type === 'file') rendered.namedFiles.add(path.resolve(node.dir, ref.value));
  }
  const work = await fs.realpath(context.workDir);
  const relative = path.relative(work, root.dir).split(path.sep).join('/');
  await fs.writeFile(path.join(work, 'kustomization.yaml'), `${JSON.stringify({ resources: [relative], buildMetadata: ['originAnnotations'] })}\n`);
  const args = [...(context.tool.flavour === 'kubectl' ? ['kustomize'] : ['build']), work, '--load-restrictor', 'LoadRestrictionsRootOnly'];
  if (context.kustomizeHelm && context.helm) args.push('--enable-helm', '--helm-command', context.helm.path);
  const run = await runChild(context.tool.path, args, { env: context.env, cwd: work, ...context.limits });
  if (run.failure || run.code !== 0) {
    rendered.failure = run.failure
      ? `${context.tool.flavour === 'kubectl' ? 'kubectl kustomize' : 'kustomize build'} ${run.failure}`
      : toolErrorLine(run.stderr, root.dir, [
          [`accumulating resources: accumulation err='accumulating resources from '${relative}': `, ''],
          [relative, root.display],
          [work, '<kfscan wrapper>'],
        ]);
    return rendered;
  }

  const parsed = parseManifests(run.stdout.toString('utf8'), `${root.display} (rendered)`);
  for (const problem of [...parsed.errors, ...parsed.warnings]) rendered.warnings.push({ ...problem, file: root.display, message: `rendered output: ${problem.message}` });
  const patches = await patchDocuments(plan.nodes, context.sources);
  const fallback: SourceLocation = { file: displayPath(root.file, context.cwd), line: 1, column: 1 };
  const withSources: Array<{ obj: KubeObject; sourceText: string | null }> = [];
  for (const object of parsed.objects) {
    const origin = takeOrigin(object.obj);
    const located = await locateObject(object.obj, origin, { work, plan, patches, fallback, context });
    if (located.sourceFile) rendered.sourceFiles.add(located.sourceFile);
    withSources.push({ obj: object.obj, sourceText: located.sourceText });
    rendered.objects.push({ obj: object.obj, docIndex: object.docIndex, itemIndex: object.itemIndex, file: located.display, namespaceHint: null, locate: located.locate, root: root.label });
  }
  rendered.copiedSecrets = copiedSecretValues(withSources);
  return rendered;
}

interface Origin {
  path?: string;
  configuredIn?: string;
  configuredBy?: { kind?: string };
}

/** Reads and removes the origin annotation (and the annotations map, when it held nothing else). */
function takeOrigin(obj: KubeObject): Origin | null {
  const annotations = obj.metadata.annotations;
  if (!isPlainObject(annotations) || typeof annotations[ORIGIN] !== 'string') return null;
  const text = annotations[ORIGIN];
  delete annotations[ORIGIN];
  if (Object.keys(annotations).length === 0) delete obj.metadata.annotations;
  try {
    const origin = parse(text) as unknown;
    return isPlainObject(origin) ? origin : null;
  } catch {
    return null;
  }
}

interface LocateInput {
  work: string;
  plan: KustomizePlan;
  patches: PatchDocument[];
  fallback: SourceLocation;
  context: KustomizeContext;
}

interface LocatedObject {
  display: string;
  sourceFile: string | null;
  /** The text the object was written in, to tell values written there from values kustomize copied. */
  sourceText: string | null;
  locate: (path: FieldPath) => SourceLocation | null;
}

async function locateObject(obj: KubeObject, origin: Origin | null, { work, plan, patches, fallback, context }: LocateInput): Promise<LocatedObject> {
  const objectPatches = (original: unknown): PatchDocument[] => patches.filter((patch) => patch.obj.kind === obj.kind && (patch.obj.metadata.name === original || patch.obj.metadata.name === obj.metadata.name));
  if (typeof origin?.path === 'string') {
    const file = path.resolve(work, origin.path);
    const source = await context.sources.load(file);
    if (source) {
      const match = matchSource(obj, source.objects);
      const fallbackHere: SourceLocation = { file: source.display, line: 1, column: 1 };
      return { display: source.display, sourceFile: file, sourceText: source.text, locate: renderedLocator(obj, match, objectPatches(match?.obj.metadata.name), fallbackHere) };
    }
  }
  if (typeof origin?.configuredIn === 'string') {
    const file = path.resolve(work, origin.configuredIn);
    const node = plan.nodes.find((candidate) => candidate.file === file);
    const kind = origin.configuredBy?.kind === 'SecretGenerator' ? 'Secret' : origin.configuredBy?.kind === 'ConfigMapGenerator' ? 'ConfigMap' : null;
    if (node?.facts && node.document && kind) {
      const generator = matchGenerator(String(obj.metadata.name ?? ''), node.facts.generators.filter((g) => g.kind === kind));
      if (generator) return { display: displayPath(node.file, context.cwd), sourceFile: null, sourceText: String(node.document), locate: await generatorLocator(node, generator, context) };
    }
    if (node) return { display: displayPath(node.file, context.cwd), sourceFile: null, sourceText: null, locate: renderedLocator(obj, null, [], { file: displayPath(node.file, context.cwd), line: 1, column: 1 }) };
  }
  return { display: fallback.file, sourceFile: null, sourceText: null, locate: renderedLocator(obj, null, objectPatches(obj.metadata.name), fallback) };
}

function matchGenerator(name: string, generators: readonly GeneratorFacts[]): GeneratorFacts | null {
  let best: GeneratorFacts | null = null;
  for (const generator of generators) {
    if (generator.name === name) return generator;
    if (generator.name !== '' && name.includes(generator.name) && generator.name.length > (best?.name.length ?? 0)) best = generator;
  }
  return best;
}

/** A generated ConfigMap or Secret: each key at its line in the env file, literal or file it comes from. */
async function generatorLocator(node: KustomizationNode, generator: GeneratorFacts, context: KustomizeContext): Promise<(path: FieldPath) => SourceLocation | null> {
  const field = generator.kind === 'Secret' ? 'secretGenerator' : 'configMapGenerator';
  const kustomizationFile = displayPath(node.file, context.cwd);
  const inKustomization = (at: FieldPath): SourceLocation | null => {
    const position = locateInDocument(node.document!, node.lineCounter, at);
    return position ? { file: kustomizationFile, line: position.line, column: position.column } : null;
  };
  const keyLines = new Map<string, SourceLocation>();
  for (const envFile of generator.envFiles) {
    const file = path.resolve(node.dir, envFile);
    const source = await context.sources.load(file).catch(() => null);
    const text = source?.text ?? (await fs.readFile(file, 'utf8').catch(() => ''));
    text.split(/\r?\n/).forEach((line, index) => {
      const key = envFileKey(line);
      if (key && !keyLines.has(key)) keyLines.set(key, { file: displayPath(file, context.cwd), line: index + 1, column: 1 });
    });
  }
  generator.files.forEach((entry) => {
    const equals = entry.indexOf('=');
    const key = equals > 0 ? entry.slice(0, equals) : path.basename(entry);
    keyLines.set(key, { file: displayPath(path.resolve(node.dir, equals > 0 ? entry.slice(equals + 1) : entry), context.cwd), line: 1, column: 1 });
  });
  const literals = node.document!.getIn([field, generator.index, 'literals']) as { items?: Array<{ value?: unknown }> } | undefined;
  return (at) => {
    const entry = inKustomization([field, generator.index]);
    if ((at[0] === 'data' || at[0] === 'binaryData' || at[0] === 'stringData') && typeof at[1] === 'string') {
      const key = at[1];
      const literalIndex = (literals?.items ?? []).findIndex((item) => (scalarText(item.value) ?? '').startsWith(`${key}=`));
      if (literalIndex !== -1) return inKustomization([field, generator.index, 'literals', literalIndex]) ?? entry;
      return keyLines.get(key) ?? entry;
    }
    return entry;
  };
}

/** Every document of every file the root's kustomizations name as a patch, innermost kustomization first. */
async function patchDocuments(nodes: readonly KustomizationNode[], sources: SourceFiles): Promise<PatchDocument[]> {
  const documents: PatchDocument[] = [];
  for (const node of [...nodes].reverse()) {
    for (const patch of node.facts?.patchFiles ?? []) {
      const source = await sources.load(path.resolve(node.dir, patch));
      for (const object of source?.objects ?? []) documents.push(object);
    }
  }
  return documents;
}

/** The key of an env file's line (`KEY=value`, `KEY`), or `null` for a comment or a blank line. */
function envFileKey(line: string): string | null {
  const text = line.trimStart();
  if (text === '' || text.startsWith('#') || text.startsWith('=')) return null;
  const equals = text.indexOf('=');
  const key = (equals === -1 ? text : text.slice(0, equals)).trimEnd();
  return key === '' ? null : key;
}
