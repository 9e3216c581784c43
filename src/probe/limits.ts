// The probe's fixed limits, on their own so that the CLI's help can state them without loading the
// probe's HTTP client.

/** Entry points probed at the same time. */
export const PROBE_CONCURRENCY = 4;
/** The probe of one context stops after this many request timeouts. */
export const OVERALL_TIMEOUTS = 12;
