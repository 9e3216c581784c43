#!/bin/sh
# The pre-commit hook's entry (.pre-commit-hooks.yaml, `language: script`): pre-commit runs it from its own
# clone of this repository, with the user's repository as the working directory. The first run builds the
# CLI in that clone (scripts/prepare.mjs: production dependencies from the lockfile and esbuild, no
# devDependencies, no install scripts); later runs start at once. A node hook would instead be installed by
# `npm install -g git+file://<clone>`, whose git-dependency preparation reinstalls the package into the same
# global folder and failed with ENOTEMPTY in two runs of three here (npm 11.19).
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
if [ ! -f "$here/dist/kfscan.mjs" ]; then
  (cd "$here" && node scripts/prepare.mjs) >&2
fi
exec node "$here/bin/kfscan.js" "$@"
