// The short name of a finding that people say aloud ("KF-3a9c2f is fixed"): the first hex digits of its
// fingerprint, so it depends on the check, the object and the field, never on lines or report order.
export const ID_HEX_DIGITS = 6;

export function findingId(fingerprint: string): string {
  return `KF-${fingerprint.slice(0, ID_HEX_DIGITS)}`;
}
