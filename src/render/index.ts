// The render stage, between the inputs and the inventory: kustomization roots and Helm charts are built
// by the real kustomize and Helm, each root on its own and in parallel, in a sandbox (see child.ts and
// preflight.ts); what they build is located back in the scanned tree, and grouped into views.
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pLimit from 'p-limit';
import type { InputError } from '../core/types.js';
import { STDIN_NAME, type CollectedInputs } from '../loaders/files.js';
import { sandboxEnv } from './child.js';
import { alreadyRendered, isBelow, renderedValues } from './claims.js';
import { discoverRoots, Kustomizations } from './discover.js';
import { renderChart } from './helm.js';
import { renderKustomize } from './kustomize.js';
import { preflightChart, preflightKustomize, type PreflightOptions } from './preflight.js';
import { SourceFiles } from './source-files.js';
import { findHelm, findKustomize, type HelmTool, type KustomizeTool, type ToolProblem } from './tools.js';
import type { HelmSettings, RenderedRoot, RenderOptions, RenderRoot } from './types.js';
import { automaticViews, declaredViews, type View } from './views.js';
import { append } from '../core/arrays.js';

export type { RenderOptions, RenderedRoot, RenderRoot } from './types.js';
export type { View } from './views.js';

export interface RenderStage {
  /** Every root found, rendered or not. */
  rendered: RenderedRoot[];
  views: View[];
  /** Files to scan as they are: those no rendered root accounts for. */
  plainFiles: string[];
  errors: InputError[];
  warnings: InputError[];
  /** Secret values kustomize copied into other objects: reports never show them. */
  secretValues: string[];
  /** The tools used, as `kubectl v1.35.2 (kustomize v5.7.1)`, for --verbose. */
  tools: string[];
}

export async function renderInputs(collected: CollectedInputs, options: RenderOptions, cwd: string): Promise<RenderStage> {
  const stage: RenderStage = { rendered: [], views: [{ name: null, roots: [], distinct: [] }], plainFiles: [...collected.files], errors: [], warnings: [], secretValues: [], tools: [] };
  if (!options.enabled) return stage;
  const kustomizations = new Kustomizations();
  const discovery = await discoverRoots(collected.kustomizations, collected.charts, kustomizations, cwd);
  append(stage.warnings, discovery.warnings);
  if (discovery.roots.length === 0) return stage;

  const sources = new SourceFiles(cwd, options.maxOutputBytes);
  const base = await fs.mkdtemp(path.join(os.tmpdir(), 'kfscan-render-')).catch(() => null);
  try {
    const tools = base ? await prepareTools(discovery.roots, options, base) : { kustomize: { problem: 'cannot create a temporary directory to render in' }, helm: { problem: 'cannot create a temporary directory to render in' }, env: {} };
    for (const tool of [tools.kustomize, tools.helm]) {
      if (tool && !('problem' in tool)) stage.tools.push('flavour' in tool ? `${tool.path} (kustomize ${tool.version})` : `${tool.path} (Helm ${tool.version})`);
    }
    const preflight: PreflightOptions = { inputs: collected.inputs, allowRemote: options.allowRemote, kustomizeHelm: options.kustomizeHelm, cwd };
    const limit = pLimit(options.concurrency ?? Math.max(1, os.availableParallelism()));
    let counter = 0;
    stage.rendered = await Promise.all(
      discovery.roots.map((root) =>
        limit(async (): Promise<RenderedRoot> => {
          const workDir = base ? path.join(base, `root-${counter++}`) : '';
          if (base) await fs.mkdir(workDir);
          return renderRoot(root, { ...tools, workDir, sources, preflight, options, kustomizations, cwd });
        }),
      ),
    );
  } finally {
    if (base) await fs.rm(base, { recursive: true, force: true }).catch(() => undefined);
  }

  for (const rendered of stage.rendered) {
    append(stage.warnings, rendered.warnings);
    if (rendered.failure !== null) {
      stage.errors.push({ file: rendered.root.display, message: `${rendered.root.type === 'helm' ? 'Helm chart' : 'kustomization'} not rendered: ${rendered.failure} (its YAML files are scanned as they are)` });
    }
    append(stage.secretValues, rendered.copiedSecrets);
  }
  const succeeded = stage.rendered.filter((rendered) => rendered.failure === null);
  stage.plainFiles = await unclaimedFiles(collected.files, succeeded, sources);
  const roots = succeeded.map((rendered) => ({ root: rendered.root, objects: rendered.objects }));
  stage.views = options.views && options.views.length > 0 ? declaredViews(options.views, roots, options.configDir ?? cwd, stage.warnings) : automaticViews(roots);
  return stage;
}

interface Tools {
  kustomize: KustomizeTool | ToolProblem | null;
  helm: HelmTool | ToolProblem | null;
  env: Record<string, string>;
}

async function prepareTools(roots: readonly RenderRoot[], options: RenderOptions, base: string): Promise<Tools> {
  const home = path.join(base, 'home');
  for (const dir of ['tmp', 'config', 'cache', 'data', 'helm/config', 'helm/cache', 'helm/data', 'helm/plugins', 'helm/repository', 'kustomize-plugins']) {
    await fs.mkdir(path.join(home, dir), { recursive: true });
  }
  const env = sandboxEnv({ home, allowNetwork: options.allowRemote, parentEnv: options.env });
  const needsKustomize = roots.some((root) => root.type === 'kustomize');
  const needsHelm = roots.some((root) => root.type === 'helm') || (needsKustomize && options.kustomizeHelm);
  const [kustomize, helm] = await Promise.all([
    needsKustomize ? findKustomize(options.kustomizeBin, options.env, env) : null,
    needsHelm ? findHelm(options.helmBin, options.env, env) : null,
  ]);
  return { kustomize, helm, env };
}

interface RootContext extends Tools {
  workDir: string;
  sources: SourceFiles;
  preflight: PreflightOptions;
  options: RenderOptions;
  kustomizations: Kustomizations;
  cwd: string;
}

async function renderRoot(root: RenderRoot, context: RootContext): Promise<RenderedRoot> {
  const failed = (failure: string): RenderedRoot => ({ root, objects: [], failure, warnings: [], sourceFiles: new Set(), dirs: [root.dir], copiedSecrets: [], namedFiles: new Set() });
  const limits = { timeoutMs: context.options.timeoutMs, maxOutputBytes: context.options.maxOutputBytes };
  if (context.workDir === '') return failed('cannot create a temporary directory to render in');
  if (root.type === 'kustomize') {
    const tool = context.kustomize;
    if (!tool || 'problem' in tool) return failed(tool?.problem ?? 'no kustomize');
    const plan = await preflightKustomize(root, context.kustomizations, context.preflight);
    if ('refused' in plan) return failed(`refused: ${plan.refused}`);
    const helm = context.helm && !('problem' in context.helm) ? context.helm : null;
    return renderKustomize(root, plan, { tool, helm, kustomizeHelm: context.options.kustomizeHelm, env: context.env, workDir: context.workDir, limits, sources: context.sources, cwd: context.cwd });
  }
  const tool = context.helm;
  if (!tool || 'problem' in tool) return failed(tool?.problem ?? 'no helm');
  const settings = helmSettings(root, context.options);
  const refusal = await preflightChart(root, context.options.charts.get(root.dir)?.valuesFiles ?? [], context.preflight);
  if (refusal) return failed(`refused: ${refusal.refused}`);
  return renderChart(root, settings, { tool, env: context.env, workDir: context.workDir, limits, cwd: context.cwd });
}

/** Chart defaults, then the configuration's settings for the chart, then the command line's. */
function helmSettings(root: RenderRoot, options: RenderOptions): HelmSettings {
  const configured = options.charts.get(root.dir);
  return {
    release: options.helm.release ?? configured?.release ?? null,
    namespace: options.helm.namespace ?? configured?.namespace ?? 'default',
    valuesFiles: [...(configured?.valuesFiles ?? []), ...options.helm.valuesFiles],
    set: [...(configured?.set ?? []), ...options.helm.set],
  };
}

/**
 * The files to scan as they are. A file whose objects came out of a render is covered by it; so is a
 * file in a rendered root's directories whose content is already in the output (an applied patch) or
 * that holds no object and is named by the root's kustomizations (a configuration, a JSON patch).
 * Everything else is scanned: a failed root's files, files no kustomization uses, and any file whose
 * content a kustomization named but left out of its output.
 */
async function unclaimedFiles(files: readonly string[], succeeded: readonly RenderedRoot[], sources: SourceFiles): Promise<string[]> {
  if (succeeded.length === 0) return [...files];
  const rendered = new Set(succeeded.flatMap((root) => [...root.sourceFiles]));
  const dirs = succeeded.flatMap((root) => root.dirs);
  const named = new Set(succeeded.flatMap((root) => [...root.namedFiles]));
  let values: Set<string> | null = null;
  const out: string[] = [];
  for (const file of files) {
    if (file === STDIN_NAME || rendered.has(file)) {
      if (file === STDIN_NAME) out.push(file);
      continue;
    }
    const real = await fs.realpath(file).catch(() => file);
    if (rendered.has(real)) continue;
    if (!isBelow(real, dirs)) {
      out.push(file);
      continue;
    }
    const source = await sources.load(real);
    if (source && source.objects.length === 0 && named.has(real)) continue;
    values ??= renderedValues(succeeded.flatMap((root) => root.objects));
    if (source && alreadyRendered(source.objects, values)) continue;
    out.push(file);
  }
  return out;
}
