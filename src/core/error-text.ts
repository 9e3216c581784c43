/** An error as one line for users: `TypeError: x is undefined`; a plain Error by its message alone. */
export function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.name && error.name !== 'Error' && !error.message.startsWith(error.name) ? `${error.name}: ${error.message}` : error.message;
}
