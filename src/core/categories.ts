import type { Category } from './types.js';

// A record, so that the compiler fails here when a category is added to the type but not to the list.
const CONTRACT: Record<Category, true> = {
  exposure: true,
  auth: true,
  mfa: true,
  'mutable-ml-image': true,
  miner: true,
  'falco-missing': true,
  'falco-rules': true,
  'prometheus-missing': true,
  'alerting-gap': true,
  hardening: true,
};

/** The categories of the report contract (checks.md), in attack order. */
export const CATEGORIES = Object.keys(CONTRACT) as readonly Category[];

export function isCategory(value: unknown): value is Category {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(CONTRACT, value);
}
