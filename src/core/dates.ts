const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A calendar day written `YYYY-MM-DD` that exists (no 2025-02-30). */
export function isIsoDay(text: string): boolean {
  const match = ISO_DAY.exec(text);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/**
 * An expiry day is the last day something applies, in UTC: `2025-06-30` still applies on that day and
 * no longer from 2025-07-01 00:00 UTC, wherever the CI runner is.
 */
export function hasExpired(expires: string, now: Date): boolean {
  return now.toISOString().slice(0, 10) > expires;
}

/** A duration for messages: `2 s`, `0.5 s` (one decimal below whole seconds). */
export function formatSeconds(ms: number): string {
  const seconds = ms / 1000;
  return `${Number.isInteger(seconds) ? seconds : seconds.toFixed(1)} s`;
}
