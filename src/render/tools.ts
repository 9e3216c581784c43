import { promises as fs } from 'node:fs';
import path from 'node:path';
import { runChild } from './child.js';

/** A kustomize to build with: the kustomize binary (`kustomize build`) or kubectl (`kubectl kustomize`). */
export interface KustomizeTool {
  flavour: 'kustomize' | 'kubectl';
  path: string;
  /** kustomize's version as the binary reports it (kubectl reports the kustomize it embeds). */
  version: string;
}

export interface HelmTool {
  path: string;
  version: string;
}

/** A tool that is missing or is not what it was said to be: the reason, for the warning about each root. */
export interface ToolProblem {
  problem: string;
}

const PROBE_LIMITS = { timeoutMs: 15_000, maxOutputBytes: 1024 * 1024 };

/**
 * The kustomize to use: `--kustomize-bin` (or the configuration's), else `kustomize` on PATH, else
 * `kubectl` on PATH. Whatever it is, it is asked for its version first, which also tells kubectl from
 * kustomize, so that a wrong path gives one clear reason instead of a failed build per root.
 */
export async function findKustomize(explicit: string | null, env: Readonly<Record<string, string | undefined>>, sandbox: Record<string, string>): Promise<KustomizeTool | ToolProblem> {
  const candidates = explicit !== null ? [explicit] : [await onPath('kustomize', env), await onPath('kubectl', env)].filter((p): p is string => p !== null);
  if (candidates.length === 0) return { problem: 'neither kustomize nor kubectl was found on PATH (install one, or give --kustomize-bin)' };
  const problems: string[] = [];
  for (const candidate of candidates) {
    const identified = await identifyKustomize(candidate, sandbox);
    if ('problem' in identified) problems.push(identified.problem);
    else return identified;
  }
  return { problem: problems.join('; ') };
}

async function identifyKustomize(file: string, sandbox: Record<string, string>): Promise<KustomizeTool | ToolProblem> {
  // kubectl answers `version --client -o json` with its own and its kustomize's version; kustomize
  // does not know --client and fails, so it is asked plainly next.
  const kubectl = await runChild(file, ['version', '--client', '-o', 'json'], { env: sandbox, cwd: sandbox['HOME']!, ...PROBE_LIMITS });
  if (kubectl.failure === 'not found' || kubectl.failure === 'not executable') return { problem: `${file}: ${kubectl.failure}` };
  if (kubectl.code === 0) {
    const version = kustomizeVersionOfKubectl(kubectl.stdout.toString('utf8'));
    if (version) return { flavour: 'kubectl', path: file, version };
  }
  const kustomize = await runChild(file, ['version'], { env: sandbox, cwd: sandbox['HOME']!, ...PROBE_LIMITS });
  const version = kustomize.code === 0 ? kustomizeVersion(kustomize.stdout.toString('utf8')) : null;
  if (version) return { flavour: 'kustomize', path: file, version };
  return { problem: `${file} is neither kustomize nor kubectl (it does not answer \`version\` as they do)` };
}

function kustomizeVersionOfKubectl(text: string): string | null {
  try {
    const parsed = JSON.parse(text) as { clientVersion?: { gitVersion?: unknown }; kustomizeVersion?: unknown };
    if (typeof parsed.clientVersion?.gitVersion !== 'string') return null;
    return typeof parsed.kustomizeVersion === 'string' ? parsed.kustomizeVersion : 'unknown';
  } catch {
    return null;
  }
}

/** `v5.7.1`, or kustomize 3's `{Version:kustomize/v3.8.7 GitCommit:...}`. */
function kustomizeVersion(text: string): string | null {
  const match = /^\s*(?:\{Version:)?(?:kustomize\/)?(v\d+\.\d+\.\d+[\w.+-]*)/.exec(text);
  return match ? match[1]! : null;
}

/** Helm: `--helm-bin` (or the configuration's), else `helm` on PATH; it must answer `version` as Helm does. */
export async function findHelm(explicit: string | null, env: Readonly<Record<string, string | undefined>>, sandbox: Record<string, string>): Promise<HelmTool | ToolProblem> {
  const file = explicit ?? (await onPath('helm', env));
  if (file === null) return { problem: 'helm was not found on PATH (install it, or give --helm-bin)' };
  const run = await runChild(file, ['version', '--short'], { env: sandbox, cwd: sandbox['HOME']!, ...PROBE_LIMITS });
  if (run.failure) return { problem: `${file}: ${run.failure}` };
  const match = run.code === 0 ? /^\s*(v\d+\.\d+\.\d+[\w.+-]*)/.exec(run.stdout.toString('utf8')) : null;
  if (!match) return { problem: `${file} is not Helm (it does not answer \`version --short\` as Helm does)` };
  return { path: file, version: match[1]!.split('+')[0]! };
}

/** The first executable file of that name on PATH, as a shell would find it. */
export async function onPath(name: string, env: Readonly<Record<string, string | undefined>>): Promise<string | null> {
  for (const dir of (env['PATH'] ?? '').split(path.delimiter)) {
    if (dir === '' || !path.isAbsolute(dir)) continue;
    const file = path.join(dir, name);
    try {
      const stat = await fs.stat(file);
      if (stat.isFile()) {
        await fs.access(file, fs.constants.X_OK);
        return file;
      }
    } catch {
      // not here
    }
  }
  return null;
}
