import type { Check } from '../core/types.js';

/**
 * What a confirmed open entry point does to a check's findings under `--probe`: `auth` findings become
 * critical (the missing login is confirmed) and the probe reports open entry points no such finding covers
 * as findings of that check; `exposure` findings become critical when the cluster's objects say the entry is
 * open to the internet; `note` findings only gain the evidence.
 */
export type ProbeRole = 'auth' | 'exposure' | 'note';

/** A check whose findings are about entry points declares its role. */
export interface ProbedCheck extends Check {
  readonly probe?: ProbeRole;
}
