// How many cases a property test tries. `npm test` uses each test's default, chosen to keep the suite quick
// while still reaching both sides of what the property states; KFSCAN_PROPERTY_RUNS raises (or sets) the
// count of every property test at once, for CI's longer runs or `npm run fuzz`. Seeds stay fixed where a test
// sets one, so a failure found at any count can be replayed.
export function propertyRuns(defaultRuns: number): number {
  const raw = process.env['KFSCAN_PROPERTY_RUNS'];
  if (raw === undefined || raw === '') return defaultRuns;
  const runs = Number(raw);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`KFSCAN_PROPERTY_RUNS takes a whole number of runs (got "${raw}")`);
  return runs;
}

/** A test timeout that grows with the number of runs, for properties that cost milliseconds per case. */
export function propertyTimeout(runs: number, msPerRun: number): number {
  return Math.max(30_000, runs * msPerRun);
}
