import type { InputError } from '../core/types.js';
import type { LoadedObject } from '../loaders/files.js';

/** A directory given on the command line, by its real path, as roots are named relative to it. */
export interface InputDir {
  /** Real absolute path (symbolic links resolved). */
  real: string;
  /** As the user wrote it. */
  given: string;
  /** The git work tree that holds the input (or the input itself): bases may come from anywhere in it. */
  boundary: string;
}

/** A top-level kustomization or Helm chart, rendered on its own. */
export interface RenderRoot {
  type: 'kustomize' | 'helm';
  /** Real absolute directory. */
  dir: string;
  /** The kustomization file, or the chart's Chart.yaml (absolute). */
  file: string;
  input: InputDir;
  /** Path relative to its input (`.` for the input itself): how reports name the root. */
  label: string;
  /** Path relative to the working directory, like file locations. */
  display: string;
}

export interface RenderedRoot {
  root: RenderRoot;
  /** The objects, located in the scanned tree; empty when rendering failed. */
  objects: LoadedObject[];
  /** Why the root could not be rendered, or `null`. */
  failure: string | null;
  warnings: InputError[];
  /** Source files whose objects came out of the render (absolute). */
  sourceFiles: Set<string>;
  /** Directories the root renders from: the kustomizations it includes, or the chart. */
  dirs: string[];
  /** Files its kustomizations name that are not resources: patches, generator inputs, configurations. */
  namedFiles: Set<string>;
  /** Secret values that kustomize copied into other objects (vars, replacements): never shown in reports. */
  copiedSecrets: string[];
}

export interface RenderOptions {
  /** `false` with --no-render: kustomizations and charts are not rendered, their plain YAML is scanned. */
  enabled: boolean;
  kustomizeBin: string | null;
  helmBin: string | null;
  allowRemote: boolean;
  /** Let kustomize inflate `helmCharts` (with the Helm found for charts). */
  kustomizeHelm: boolean;
  timeoutMs: number;
  maxOutputBytes: number;
  /** From the command line: for every chart, over the configuration's. */
  helm: HelmOptions;
  /** Per-chart settings from the configuration, by chart directory (absolute). */
  charts: ReadonlyMap<string, HelmOptions>;
  /** Views the configuration declares, roots as globs relative to `configDir`. */
  views: ReadonlyArray<{ name: string; roots: string[] }> | null;
  configDir: string | null;
  /** The caller's environment: PATH to find the tools on, proxies with --allow-remote-resources. */
  env: Readonly<Record<string, string | undefined>>;
  concurrency?: number;
}

export interface HelmOptions {
  release: string | null;
  namespace: string | null;
  /** Absolute paths. */
  valuesFiles: string[];
  set: string[];
}

/** What one chart is rendered with. */
export interface HelmSettings {
  release: string | null;
  namespace: string;
  valuesFiles: string[];
  set: string[];
}
