import type { AttackStepId } from './attack-steps.js';
import type { Category } from './types.js';

// The categories of the report contract (checks.md), in attack order: how reports title them, and the step
// of the attack path that a plugin check of the category counts for. Some share their name with a check of
// kfscan; this is the only place in src/ where those names are written. A record, so that the compiler
// fails here when a category is added to the type but not to the list.
const CONTRACT: Record<Category, { title: string; step: AttackStepId; concern: Concern }> = {
  exposure: { title: 'Exposure to the internet', step: 'entry', concern: 'exposure' },
  auth: { title: 'Authentication', step: 'auth', concern: 'login' },
  mfa: { title: 'Multi-factor authentication', step: 'auth', concern: 'second-factor' },
  'mutable-ml-image': { title: 'Mutable ML images', step: 'workloads', concern: 'images' },
  miner: { title: 'Crypto-miner indicators', step: 'workloads', concern: 'miner' },
  'falco-missing': { title: 'Runtime detection (Falco)', step: 'detection', concern: 'sensor' },
  'falco-rules': { title: 'Falco miner rules', step: 'detection', concern: 'sensor' },
  'prometheus-missing': { title: 'Monitoring (Prometheus)', step: 'alerting', concern: 'alerts' },
  'alerting-gap': { title: 'Growth alerts', step: 'alerting', concern: 'alerts' },
  hardening: { title: 'Hardening', step: 'workloads', concern: 'hardening' },
};

/**
 * What a category is about, in the executive summary's words: the dashboard's exposure, a login or its
 * second factor, the images or a miner, the runtime sensor or the alerts, or hardening.
 */
export type Concern = 'exposure' | 'login' | 'second-factor' | 'images' | 'miner' | 'sensor' | 'alerts' | 'hardening';

export function categoryConcern(category: Category): Concern {
  return CONTRACT[category].concern;
}

/** The categories of the report contract (checks.md), in attack order. */
export const CATEGORIES = Object.keys(CONTRACT) as readonly Category[];

export function isCategory(value: unknown): value is Category {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(CONTRACT, value);
}

/** `Runtime detection (Falco)`: how reports head a category's findings. */
export function categoryTitle(category: Category): string {
  return CONTRACT[category].title;
}

/** The step of the attack path that plugin checks of a category count for. */
export function categoryStep(category: Category): AttackStepId {
  return CONTRACT[category].step;
}
