// Preload for `node --import`: installs the hooks in import-log-hooks.mjs.
import { register } from 'node:module';

register('./import-log-hooks.mjs', import.meta.url);
