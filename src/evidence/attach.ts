import type { Finding, Inventory, Resource } from '../core/types.js';
import { fileRedactor, objectExcerpt, sourceExcerpt } from './excerpt.js';

/** Reads a scanned file by the path findings show; `null` when it may not or cannot be read. */
export type SourceReader = (file: string) => Promise<string | null>;

/** Offline findings with the lines of their source around the flagged field; each file is read once. */
export async function withSourceExcerpts(findings: readonly Finding[], read: SourceReader, knownValues: readonly string[]): Promise<Finding[]> {
  const texts = new Map<string, Promise<string | null>>();
  const text = (file: string): Promise<string | null> => {
    let loaded = texts.get(file);
    if (!loaded) texts.set(file, (loaded = read(file).catch(() => null)));
    return loaded;
  };
  return Promise.all(
    findings.map(async (finding) => {
      if (!finding.location) return finding;
      const source = await text(finding.location.file);
      if (source === null) return finding;
      const { file, line, column } = finding.location;
      const excerpt = sourceExcerpt(file, source, line, column, fileRedactor(file, source, knownValues));
      return excerpt ? { ...finding, excerpt } : finding;
    }),
  );
}

/** Live findings with the fields of their object that the finding is about. */
export function withObjectExcerpts(findings: readonly Finding[], inventory: Inventory, knownValues: readonly string[]): Finding[] {
  const wanted = new Set(findings.flatMap((finding) => (finding.resource ? [refKey(finding.resource)] : [])));
  if (wanted.size === 0) return [...findings];
  const objects = new Map<string, Resource>();
  for (const resource of inventory.all()) {
    const key = refKey(resource.ref);
    if (wanted.has(key) && !objects.has(key)) objects.set(key, resource);
  }
  return findings.map((finding) => {
    const resource = finding.resource ? objects.get(refKey(finding.resource)) : undefined;
    return resource ? { ...finding, excerpt: objectExcerpt(resource.obj, finding.fieldPath, knownValues) } : finding;
  });
}

function refKey(ref: { apiVersion: string; kind: string; namespace: string | null; name: string }): string {
  return JSON.stringify([ref.apiVersion, ref.kind, ref.namespace ?? '', ref.name]);
}
