import { lazyModule } from '../core/lazy-module.js';

/** re2js (RE2 in JavaScript: matching in time linear in the text), loaded on first use. */
export const re2js = lazyModule<typeof import('re2js')>('re2js');
