// `npm run build`'s second step: the CLI bundle from tsc's output (scripts/bundle-cli.mjs says what it holds).
import { build } from 'esbuild';
import { bundleCli } from './bundle-cli.mjs';

await bundleCli(build);
