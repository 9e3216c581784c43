// Module resolution hooks (node:module register) that append every resolved module URL to the file named
// by KFSCAN_IMPORT_LOG: a timing-free way to see what a command loads.
import { appendFileSync } from 'node:fs';

export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  if (process.env.KFSCAN_IMPORT_LOG) appendFileSync(process.env.KFSCAN_IMPORT_LOG, `${resolved.url}\n`);
  return resolved;
}
