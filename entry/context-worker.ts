// A worker thread of a fleet scan (src/cli/context-pool.ts starts it): the built-in checks injected, as
// entry/kfscan.ts does for the program. `npm run build` bundles it into dist/context-worker.mjs, next to
// dist/kfscan.mjs and sharing its chunks.
import { builtinChecks } from '../checks/index.js';
import { serveContexts } from '../src/cli/context-worker.js';

serveContexts(builtinChecks);
