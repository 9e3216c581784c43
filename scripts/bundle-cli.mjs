// Bundles the CLI into one ESM entry file and its chunks. Heavy or optional modules stay outside and are
// loaded on demand: the Kubernetes client only in live mode, the spinner only on a terminal.
import { existsSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

// CommonJS dependencies inside an ES module bundle still call require().
const banner = { js: "import { createRequire as __kfscanCreateRequire } from 'node:module'; const require = __kfscanCreateRequire(import.meta.url);" };

/**
 * Bundles the CLI with esbuild's `build` from the TypeScript sources: for `npm run build`, and for `prepare`
 * where no compiler is installed (scripts/prepare.mjs).
 */
export async function bundleCli(build) {
  // Chunk names carry a content hash: the chunks of an earlier build would otherwise pile up.
  rmSync('dist/chunks', { recursive: true, force: true });
  // Split at the dynamic imports: what a run does not use (the other report formats, live mode, plugins,
  // the remediation kit, the configuration validator) goes to chunks of its own that are never compiled, which
  // a short scan notices in its start-up time.
  await build({
    // The worker threads of a fleet scan (entry/context-worker.ts) share the CLI's chunks.
    entryPoints: ['entry/kfscan.ts', 'entry/context-worker.ts'],
    outdir: 'dist',
    entryNames: '[name]',
    chunkNames: 'chunks/[name]-[hash]',
    outExtension: { '.js': '.mjs' },
    splitting: true,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // playwright-core is an optional peer dependency, loaded only to print a PDF (src/pdf/print.ts).
    external: ['@kubernetes/client-node', 'ora', 'playwright-core'],
    banner,
    legalComments: 'linked',
    logLevel: 'warning',
  });

  // Live mode's kubeconfig handling, loaded by src/live/kubeconfig.ts: client-node's KubeConfig with its
  // own dependencies, self-contained. The generated API (models, typed clients) is imported by client-node's
  // config module only for clients kfscan never makes; marking it side-effect free lets esbuild leave out
  // everything unused, which turns a 600 ms import into one of about 100 ms. client-node's ESM build names every
  // relative import with its file and extension, so the target is the path itself: asking esbuild to resolve
  // each (plugin.resolve) gave the same bundle at a cost of 20 s of CPU per build.
  const generatedApiIsPure = {
    name: 'client-node-generated-api-is-pure',
    setup(plugin) {
      plugin.onResolve({ filter: /^\./ }, (args) => {
        if (!/[\\/]@kubernetes[\\/]client-node[\\/]dist[\\/]/.test(args.resolveDir)) return undefined;
        const target = path.resolve(args.resolveDir, args.path);
        if (!/[\\/]client-node[\\/]dist[\\/]gen[\\/]/.test(target)) return undefined;
        if (!existsSync(target)) throw new Error(`client-node imports ${args.path} from ${args.importer}: no such file; has its build changed?`);
        return { path: target, sideEffects: false };
      });
    },
  };

  // Packages that client-node's dependencies require inside try/catch only if installed (node-fetch's
  // `encoding`, debug's `supports-color`); kfscan does not install them. They resolve to nothing here, which
  // is what those dependencies see when the packages are missing, and the bundle imports no package.
  const absentOptionalPackages = {
    name: 'absent-optional-packages',
    setup(plugin) {
      plugin.onResolve({ filter: /^(encoding|supports-color)$/ }, (args) => ({ path: args.path, namespace: 'absent' }));
      plugin.onLoad({ filter: /.*/, namespace: 'absent' }, () => ({ contents: 'module.exports = {};', loader: 'js' }));
    },
  };

  // Packages that client-node's config module (and the generated API's default HTTP library) import at their
  // top but that a scan uses rarely or never: node-fetch (with whatwg-url and tr46's Unicode tables, 400 KB)
  // serves applyToFetchOptions and the generated clients, which kfscan does not call, and the proxy agents
  // (the SOCKS one with socks, ip-address and smart-buffer, 220 KB) only contexts with a `proxy-url`. Their
  // module code ran on every live scan before its first request (about 35 ms). Each is reached through
  // getters instead, one per export of the real package (listed here at build time), that require it on
  // first use; esbuild keeps the property access at the point of use, so nothing runs until then. (A module
  // that took node-fetch's default export the Node way, as the whole module, would get the getters instead
  // of the function: none of the bundled ones does; config.js takes `Headers`, the generated API `default`.)
  const LAZY_PACKAGES = /^(?:node-fetch|socks-proxy-agent|hpagent)$/;
  const lazyPackages = {
    name: 'lazy-packages',
    setup(plugin) {
      // The getters' own require of the package resolves as usual.
      plugin.onResolve({ filter: LAZY_PACKAGES }, (args) => (args.namespace === 'lazy' ? undefined : { path: args.path, namespace: 'lazy', pluginData: args.resolveDir }));
      plugin.onLoad({ filter: /.*/, namespace: 'lazy' }, (args) => {
        const real = createRequire(path.join(args.pluginData, 'index.js'))(args.path);
        const getters = Object.keys(real).map((name) => `Object.defineProperty(exports, ${JSON.stringify(name)}, { enumerable: true, get: () => require(${JSON.stringify(args.path)})[${JSON.stringify(name)}] });`);
        // An ES module compiled to CommonJS (node-fetch) marks itself so; its default export is then `default`.
        const esModule = real.__esModule ? ["Object.defineProperty(exports, '__esModule', { value: true });"] : [];
        return { contents: [...esModule, ...getters].join('\n'), resolveDir: args.pluginData, loader: 'js' };
      });
    },
  };

  await build({
    entryPoints: ['entry/kube-config.ts'],
    outfile: 'dist/kube-config.mjs',
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    plugins: [generatedApiIsPure, absentOptionalPackages, lazyPackages],
    banner,
    legalComments: 'linked',
    logLevel: 'warning',
  });
}
