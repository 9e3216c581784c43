// What `npm run docs` generates the reference from, gathered in one module that scripts/docs.mjs bundles
// with esbuild: the program's flags, the checks, the formats and the configuration schema, from the sources.
export { buildProgram } from '../src/cli/main.js';
export { builtinChecks } from '../checks/index.js';
export { TARGET_FORMAT_INFO } from '../src/cli/reports.js';
export { CONFIG_SCHEMA } from '../src/config/schema.js';
