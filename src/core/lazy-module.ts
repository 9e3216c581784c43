import { createRequire } from 'node:module';

const requireFromHere = createRequire(import.meta.url);

/**
 * A dependency loaded (synchronously, from its CommonJS build) the first time it is used. For large
 * modules that most scans never need: RE2 for regexes that manifests supply, the PromQL parser for alert
 * rules. Imported statically, their code was compiled on every start, a sixth of a short scan's time.
 */
export function lazyModule<T>(specifier: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= requireFromHere(specifier) as T);
}
