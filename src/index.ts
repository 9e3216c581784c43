// The package's main entry point: the plugin API's types (the same as `kfscan/plugin`, which also has the
// helpers). Types only, so importing it costs nothing at run time; the CLI is the `kfscan` binary.
export type * from './plugin.js';
