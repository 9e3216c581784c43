// The defaults of a fleet scan, apart from scan-cluster.ts so that the command line can show them without
// loading live mode at start-up.

/**
 * Eight contexts at once: a context's scan is mostly waiting for its API server, so eight keep two cores
 * busy, while eight clusters of a few thousand pods each stay within a few hundred MB.
 */
export const DEFAULT_CONTEXT_CONCURRENCY = 8;

/** A 50,000-pod cluster reads in about 20 s: ten minutes is for a slow link, not a hung server. */
export const DEFAULT_CONTEXT_TIMEOUT_MS = 600_000;
