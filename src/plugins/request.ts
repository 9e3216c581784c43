import type { SourceLocation } from '../core/types.js';

/** One `--plugin` or `plugins:` entry. */
export interface PluginRequest {
  /** The path or package as written. */
  source: string;
  /** Directory that a relative path or a package is resolved from. */
  baseDir: string;
  /** The entry's `options`; `undefined` when none are given. */
  options?: unknown;
  /** Where the entry is written (`.kfscan.yaml`), or `null` for `--plugin`. */
  location: SourceLocation | null;
  /** Locates a value inside the entry's `options`, for error messages. */
  locateOption?: (at: readonly (string | number)[]) => SourceLocation;
}
