import { realpathSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { LoadedConfig } from '../config/load.js';
import type { RenderOptions } from '../render/types.js';
import { UsageError, type CliIo } from './io.js';

export interface RenderCliOptions {
  /** `false` with --no-render. */
  render?: boolean;
  kustomizeBin?: string;
  helmBin?: string;
  helmValues?: string[];
  helmSet?: string[];
  helmRelease?: string;
  helmNamespace?: string;
  allowRemoteResources?: boolean;
  renderTimeout?: string;
  exclude?: string[];
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** The render and input options of `scan` and `remediate` (docs/rendering.md). */
export function addRenderOptions(command: Command): Command {
  return command
    .option('--exclude <glob>', 'leave paths out of the scan, gitignore-style relative to each input, e.g. apps/** (repeatable)', collect)
    .option('--no-render', 'do not render kustomizations and Helm charts: scan their YAML files as they are')
    .option('--kustomize-bin <path>', 'the kustomize or kubectl binary to build kustomizations with (default: kustomize, else kubectl, on PATH)')
    .option('--helm-bin <path>', 'the helm binary to render charts with (default: helm on PATH)')
    .option('--helm-values <file>', 'values file for every chart, over its defaults (repeatable)', collect)
    .option('--helm-set <key=value>', 'value for every chart, as helm --set takes it (repeatable)', collect)
    .option('--helm-release <name>', 'release name to render charts as (default: the chart name)')
    .option('--helm-namespace <ns>', 'namespace to render charts into (default: default)')
    .option('--allow-remote-resources', 'let kustomize fetch remote bases and charts (git, http); refused by default')
    .option('--render-timeout <seconds>', 'time one kustomization or chart may take to render (default: 120)');
}

/**
 * Render options from the command line over the configuration. Paths on the command line are relative to
 * the working directory, those of the configuration to its file. Binaries named in the configuration
 * (which a pull request can change) must lie outside the repository that holds it.
 */
export function renderOptions(options: RenderCliOptions, config: LoadedConfig | null, io: CliIo): { render: Omit<RenderOptions, 'maxOutputBytes'>; exclude: string[] } {
  const configDir = config ? path.dirname(config.path) : null;
  const render = config?.data.render ?? {};
  const fromConfig = (key: 'kustomizeBin' | 'helmBin'): string | null => {
    const value = render[key];
    if (value === undefined) return null;
    if (configDir !== null && (value === configDir || value.startsWith(`${configDir}${path.sep}`))) {
      const at = config!.locate(['render', key]);
      throw new UsageError(`${at.file}:${at.line}:${at.column}: render.${key} points into the repository that holds the configuration; name a binary installed outside it, or give --${key === 'kustomizeBin' ? 'kustomize-bin' : 'helm-bin'}`);
    }
    return value;
  };
  const seconds = options.renderTimeout !== undefined ? Number(options.renderTimeout) : (render.timeout ?? 120);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new UsageError(`--render-timeout takes a number of seconds (got "${options.renderTimeout}")`);
  for (const value of options.helmSet ?? []) if (!value.includes('=')) throw new UsageError(`--helm-set takes key=value (got "${value}")`);
  const charts = new Map(
    Object.entries(render.charts ?? {}).map(([dir, entry]) => [
      realDir(path.resolve(configDir ?? io.cwd, dir)),
      {
        release: entry.release ?? null,
        namespace: entry.namespace ?? null,
        valuesFiles: (entry.values ?? []).map((file) => path.resolve(configDir ?? io.cwd, file)),
        set: entry.set ?? [],
      },
    ]),
  );
  return {
    exclude: [...(config?.data.exclude ?? []), ...(options.exclude ?? [])],
    render: {
      enabled: options.render !== false,
      kustomizeBin: options.kustomizeBin !== undefined ? path.resolve(io.cwd, options.kustomizeBin) : fromConfig('kustomizeBin'),
      helmBin: options.helmBin !== undefined ? path.resolve(io.cwd, options.helmBin) : fromConfig('helmBin'),
      allowRemote: options.allowRemoteResources === true,
      kustomizeHelm: render.kustomizeHelm === true,
      timeoutMs: seconds * 1000,
      helm: {
        release: options.helmRelease ?? null,
        namespace: options.helmNamespace ?? null,
        valuesFiles: (options.helmValues ?? []).map((file) => path.resolve(io.cwd, file)),
        set: options.helmSet ?? [],
      },
      charts,
      views: config?.data.views ?? null,
      configDir,
      env: io.env,
    },
  };
}

/** Charts are found by their real directory. */
function realDir(dir: string): string {
  try {
    return realpathSync(dir);
  } catch {
    return dir;
  }
}
