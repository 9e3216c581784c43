/**
 * The steps of the 2021 campaign after the internet, in attack order: each built-in check names the steps
 * it decides (checks/<id>/index.ts), and each category the step its plugin checks count for.
 */
export const ATTACK_STEP_IDS = ['entry', 'gateway', 'dashboard', 'auth', 'workloads', 'detection', 'alerting'] as const;

export type AttackStepId = (typeof ATTACK_STEP_IDS)[number];
