// The layers of kfscan, enforced by `npm run lint` (docs/development.md). Imports point one way:
//
//   entry/, bin/, src/*.ts        the programs and the package's entry points
//   src/cli/                      the command-line front end
//   checks/<id>/                  one folder per check; only the registry (checks/index.ts) and entry/ name them
//   src/catalogue/                what a check folder is (its run, and its parts for the kit, probe and attack path)
//   src/engine/ remediate/ probe/ live/ reporters/ diff/ evidence/ pdf/   what a scan does with an inventory, and its reports
//   src/loaders/ render/ inventory/ kube/ config/ plugins/   inputs, the inventory, domain knowledge
//   src/core/                     types and helpers everything shares
//
// A layer may import the layers below it and its own, never one above, and no import (type-only ones
// included) closes a circle. There is no list of tolerated violations: `npm run lint` fails on any.

const CORE = '^src/core/';
const BASE = '^src/(loaders|render|inventory|kube|config|plugins)/';
const MIDDLE = '^src/(engine|remediate|probe|live|reporters|diff|evidence|pdf)/';
const CATALOGUE = '^src/catalogue/';
const CLI = '^src/cli/';
const ENTRY = '^(entry/|bin/|src/[^/]+\\.[cm]?[jt]s$)';
const CHECKS = '^checks/';
const SOURCE = '^(src|checks|entry|bin)/';
const KNOWN = [CORE, BASE, MIDDLE, CATALOGUE, CLI, ENTRY, CHECKS].join('|');

// What a check may build on: the shared types, the inventory it reads, shared domain knowledge, the
// engine's helpers for checks, and the parts a check folder contributes beyond its run: the unit's type
// (src/catalogue/), the remediation kit's building blocks (src/remediate/) and the probe's roles. Everything
// else (loaders, render, config, live mode, reporters, the CLI) is the machinery's.
const CHECK_MAY_IMPORT = [CORE, '^src/(inventory|kube|catalogue|remediate)/', '^src/engine/check-helpers\\.ts$', '^src/probe/roles\\.ts$'].join('|');

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Files that import each other, directly or through others (type-only imports count): split out what both need.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'core-imports-only-core',
      severity: 'error',
      comment: 'src/core/ is the ground floor: it imports nothing of the project outside itself.',
      from: { path: CORE },
      to: { path: SOURCE, pathNot: CORE },
    },
    {
      name: 'base-not-upward',
      severity: 'error',
      comment: 'Loaders, render, inventory, domain modules, config and plugins import only each other and src/core/.',
      from: { path: BASE },
      to: { path: [MIDDLE, CATALOGUE, CLI, ENTRY, CHECKS] },
    },
    {
      name: 'middle-not-upward',
      severity: 'error',
      comment: 'The engine, remediation, probe, live mode and reporters never import the catalogue, the CLI, an entry point or a check.',
      from: { path: MIDDLE },
      to: { path: [CATALOGUE, CLI, ENTRY, CHECKS] },
    },
    {
      name: 'catalogue-not-upward',
      severity: 'error',
      comment: 'src/catalogue/ describes check folders to the CLI: it never imports the CLI, an entry point or a check.',
      from: { path: CATALOGUE },
      to: { path: [CLI, ENTRY, CHECKS] },
    },
    {
      name: 'cli-not-upward',
      severity: 'error',
      comment: 'The CLI gets its checks injected (entry/kfscan.ts); it never imports a check or an entry point.',
      from: { path: CLI },
      to: { path: [ENTRY, CHECKS] },
    },
    {
      name: 'checks-build-on-domain-only',
      severity: 'error',
      comment: 'A check imports src/core/, src/inventory/, src/kube/ (shared domain knowledge), src/engine/check-helpers.ts, and for its other parts src/catalogue/, src/remediate/ and src/probe/roles.ts only.',
      from: { path: CHECKS },
      to: { path: SOURCE, pathNot: [CHECK_MAY_IMPORT, CHECKS] },
    },
    {
      name: 'checks-are-units',
      severity: 'error',
      comment: 'A check folder imports nothing from another check: shared knowledge belongs in a domain module under src/.',
      from: { path: '^checks/([^/]+)/' },
      to: { path: CHECKS, pathNot: '^checks/$1/' },
    },
    {
      name: 'check-files-are-units',
      severity: 'error',
      comment: 'A single-file check (checks/<id>.ts) imports no other check; only the registry, checks/index.ts, lists them.',
      from: { path: '^checks/[^/]+\\.ts$', pathNot: '^checks/index\\.ts$' },
      to: { path: CHECKS },
    },
    {
      name: 'every-source-folder-has-a-layer',
      severity: 'error',
      comment: 'A new folder under src/ gets its place in the layers above before it is imported or imports anything.',
      from: { path: SOURCE, pathNot: KNOWN },
      to: { path: SOURCE },
    },
    {
      name: 'nothing-imports-an-unplaced-folder',
      severity: 'error',
      comment: 'A new folder under src/ gets its place in the layers above before it is imported or imports anything.',
      from: { path: SOURCE },
      to: { path: SOURCE, pathNot: KNOWN },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'An import that resolves to nothing (the build output dist/ aside, which bin/ loads once built).',
      from: { pathNot: '^bin/' },
      to: { couldNotResolve: true },
    },
    {
      name: 'shipped-code-not-to-dev-dependency',
      severity: 'error',
      comment: 'The published package is installed without devDependencies: shipped code may use their types only.',
      from: { path: SOURCE },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules)/' },
    // Type-only imports are dependencies too: a circle of types is still a circle in the design.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.test.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};
