// The defaults of a fleet scan, apart from scan-cluster.ts so that the command line can show them without
// loading live mode at start-up.

/**
 * Eight contexts at once: a context's scan is mostly waiting for its API server, so eight keep two cores
 * busy, while eight clusters of a few thousand pods each stay within a few hundred MB.
 */
export const DEFAULT_CONTEXT_CONCURRENCY = 8;

/**
 * A large fleet (FLEET_SIZE contexts or more, neither --context-concurrency nor --concurrency given): twice
 * the contexts at once with half the requests in flight each, the same 64 in all. Every connection costs a
 * TLS handshake on both sides, which across dozens of clusters is a tenth of the CPU a fleet scan takes.
 */
export const FLEET_SIZE = 16;
export const FLEET_CONTEXT_CONCURRENCY = 16;
export const FLEET_REQUEST_CONCURRENCY = 4;

/** A 50,000-pod cluster reads in about 20 s: ten minutes is for a slow link, not a hung server. */
export const DEFAULT_CONTEXT_TIMEOUT_MS = 600_000;
