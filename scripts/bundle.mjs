// `npm run build`'s second step: the CLI bundled by esbuild straight from the TypeScript sources
// (scripts/bundle-cli.mjs says what it holds). The build's first step compiles with tsc only the package's
// public entry points (tsconfig.build.json: their JavaScript and declarations); type-checking the whole
// project is `npm run typecheck`'s job, so a build costs seconds, not a compile.
import { build } from 'esbuild';
import { bundleCli } from './bundle-cli.mjs';

await bundleCli(build);
