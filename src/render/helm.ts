import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import type { FieldPath, SourceLocation } from '../core/types.js';
import { displayPath } from '../loaders/files.js';
import { parseManifests } from '../loaders/manifest-parser.js';
import { runChild, type ChildLimits } from './child.js';
import { toolErrorLine } from './tool-errors.js';
import type { HelmTool } from './tools.js';
import type { HelmSettings, RenderedRoot, RenderRoot } from './types.js';
import { trimBoth } from '../core/text-scan.js';

export interface HelmContext {
  tool: HelmTool;
  env: Record<string, string>;
  workDir: string;
  limits: ChildLimits;
  cwd: string;
}

export const TEMPLATE_LINE_NOTE = "line of the template: Helm writes this field from values or helpers";

/**
 * Renders a chart with `helm template` (chart defaults, then the values files and `--set` values given),
 * never reaching a cluster or a repository: dependencies must be vendored under charts/, as Helm itself
 * requires. Each object is located in the template that `# Source:` names.
 */
export async function renderChart(root: RenderRoot, settings: HelmSettings, context: HelmContext): Promise<RenderedRoot> {
  const rendered: RenderedRoot = { root, objects: [], failure: null, warnings: [], sourceFiles: new Set(), dirs: [root.dir], copiedSecrets: [], namedFiles: new Set() };
  const chartName = await chartNameOf(root.file);
  const release = settings.release ?? releaseName(chartName ?? path.basename(root.dir));
  const args = ['template', release, root.dir, '--namespace', settings.namespace];
  for (const file of settings.valuesFiles) args.push('--values', file);
  for (const value of settings.set) args.push('--set', value);
  const run = await runChild(context.tool.path, args, { env: context.env, cwd: context.workDir, ...context.limits });
  if (run.failure || run.code !== 0) {
    rendered.failure = run.failure ? `helm template ${run.failure}` : toolErrorLine(run.stderr, root.dir, [[`${root.dir}${path.sep}`, '']]);
    return rendered;
  }

  const templates = new Map<string, string | null>();
  for (const chunk of splitRendered(run.stdout.toString('utf8'))) {
    const template = chunk.source ? templateFile(root.dir, chartName, chunk.source) : null;
    const file = template ?? root.file;
    const display = displayPath(file, context.cwd);
    if (!templates.has(file)) templates.set(file, template ? await fs.readFile(file, 'utf8').catch(() => null) : null);
    const text = templates.get(file) ?? null;
    const parsed = parseManifests(chunk.text, `${display} (rendered)`);
    for (const problem of [...parsed.errors, ...parsed.warnings]) rendered.warnings.push({ file: display, message: `rendered output: ${problem.message}` });
    for (const object of parsed.objects) {
      rendered.objects.push({ obj: object.obj, docIndex: chunk.index, itemIndex: object.itemIndex, file: display, namespaceHint: settings.namespace, locate: templateLocator(display, text), root: root.label });
    }
  }
  return rendered;
}

interface RenderedChunk {
  index: number;
  source: string | null;
  text: string;
}

function splitRendered(output: string): RenderedChunk[] {
  return output.split(/^---[ \t]*$/m).map((text, index) => ({ index, text, source: /^# Source: (.+)$/m.exec(text)?.[1]?.trim() ?? null }));
}

/** `mychart/templates/x.yaml` or `mychart/charts/sub/templates/y.yaml` as a file of the chart directory. */
function templateFile(chartDir: string, chartName: string | null, source: string): string | null {
  const parts = source.split('/');
  if (parts.length < 2 || (chartName !== null && parts[0] !== chartName)) return null;
  const file = path.resolve(chartDir, ...parts.slice(1));
  if (!file.startsWith(`${chartDir}${path.sep}`) || !existsSync(file)) return null; // a packaged subchart (.tgz)
  return file;
}

/**
 * A template is not YAML, so a field is found by its keys: each key of the path on a later line than the
 * one before, indented deeper. When a key is not written in the template (it comes from `toYaml` of
 * values, or a helper), the location is the template's first line, and says so.
 */
function templateLocator(file: string, text: string | null): (path: FieldPath) => SourceLocation {
  const lines = text?.split(/\r?\n/) ?? [];
  const top: SourceLocation = { file, line: 1, column: 1 };
  return (fieldPath) => {
    if (fieldPath.length === 0 || text === null) return top;
    let from = 0;
    let indent = -1;
    let found: SourceLocation | null = null;
    for (const segment of fieldPath) {
      if (typeof segment === 'number') continue;
      const key = new RegExp(`^(\\s*)(?:-\\s+)?["']?${segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}["']?\\s*:`);
      let hit = -1;
      for (let index = from; index < lines.length; index++) {
        const match = key.exec(lines[index]!);
        if (match && match[1]!.length > indent) {
          hit = index;
          indent = match[1]!.length;
          break;
        }
      }
      if (hit === -1) return found ? { ...found, note: TEMPLATE_LINE_NOTE } : { ...top, note: TEMPLATE_LINE_NOTE };
      from = hit + 1;
      found = { file, line: hit + 1, column: indent + 1 };
    }
    return found ?? top;
  };
}

async function chartNameOf(chartFile: string): Promise<string | null> {
  const text = await fs.readFile(chartFile, 'utf8').catch(() => '');
  return /^name:\s*["']?([^"'\s#]+)/m.exec(text)?.[1] ?? null;
}

/** Helm wants a DNS-1123 release name of at most 53 characters. */
function releaseName(name: string): string {
  const cleaned = trimBoth(name.toLowerCase().replace(/[^a-z0-9-]+/g, '-'), '-').slice(0, 53);
  return cleaned === '' ? 'release' : cleaned;
}
