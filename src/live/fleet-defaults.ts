// The defaults of a fleet scan, apart from scan-cluster.ts so that the command line can show them without
// loading live mode at start-up.

/**
 * Eight contexts at once: a context's scan is mostly waiting for its API server, so eight keep two cores
 * busy, while eight clusters of a few thousand pods each stay within a few hundred MB.
 */
export const DEFAULT_CONTEXT_CONCURRENCY = 8;

/**
 * A large fleet (FLEET_SIZE contexts or more, neither --context-concurrency nor --concurrency given): up to
 * 64 contexts at once with 2 requests in flight each. A context's scan is a few rounds of waiting on its
 * server (discovery, the lists, the Secrets the checks name), which overlap only between contexts read at
 * once: read in waves, the last wave's rounds come on top (50 contexts: 2.4 s at once, 2.8 s by 16 or 40).
 * Every connection costs a full TLS handshake on both sides (with four per context, about 5% of a fleet
 * scan's CPU), so each context gets two. Memory stays within the budget the contexts read at once share (memory-budget.ts):
 * a context waits for room rather than fail.
 */
export const FLEET_SIZE = 16;
export const FLEET_CONTEXT_CONCURRENCY = 64;
export const FLEET_REQUEST_CONCURRENCY = 2;

/** A 50,000-pod cluster reads in about 20 s: ten minutes is for a slow link, not a hung server. */
export const DEFAULT_CONTEXT_TIMEOUT_MS = 600_000;
