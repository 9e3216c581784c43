// The public entry point of the `kfscan` package: the types a plugin (a custom check) is written against.
// Types only, so importing them costs nothing at run time and exposes none of the internals; the CLI is
// the `kfscan` binary, not this module.
export type * from './core/types.js';
