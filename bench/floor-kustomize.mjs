// The floor of the kustomize benchmark: `kubectl kustomize` alone on every root of the repository.
import { readFileSync } from 'node:fs';
import { buildAll } from './kustomize.mjs';

const [kubectl, dir, rootsFile] = process.argv.slice(2);
await buildAll(kubectl, dir, JSON.parse(readFileSync(rootsFile, 'utf8')));
