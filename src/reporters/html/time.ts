/** UTC with the zone spelled out, so a report reads the same wherever it is opened. */
export function formatTime(date: Date | undefined): string {
  if (!date || Number.isNaN(date.getTime())) return 'time not recorded';
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}
