// A built-in check as its folder defines it (checks/<id>/index.ts): the check itself, and what it adds to
// the machinery that src/ runs for every check without naming one: its steps of the attack path, its role
// under `--probe`, its share of the remediation kit. The registry, checks/index.ts, lists them.
import type { AttackStepId } from '../core/attack-steps.js';
import type { Check } from '../core/types.js';
import type { ProbeRole } from '../probe/roles.js';
import type { KitContribution } from '../remediate/types.js';

export interface CheckUnitParts {
  /** The steps of the attack path this check decides (src/reporters/attack-path.ts), in attack order. */
  readonly attackPath: readonly AttackStepId[];
  /** What a confirmed open entry point does to its findings under `--probe` (src/probe/roles.ts). */
  readonly probe?: ProbeRole;
  /** Its share of the remediation kit; a contribution several checks list is generated once for all of them. */
  readonly remediation?: readonly KitContribution[];
}

export interface CheckUnit extends Check, CheckUnitParts {}

/** A check as the CLI is given it: a built-in unit, or a plain check (a test's, say) with none of the parts. */
export type CatalogueCheck = Check & Partial<CheckUnitParts>;

/** Types a check folder's default export. */
export function defineBuiltinCheck(unit: CheckUnit): CheckUnit {
  return unit;
}
