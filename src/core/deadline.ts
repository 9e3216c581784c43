/**
 * What `work` settles with, or `expired()`'s error once `timeoutMs` have passed, whichever comes first.
 * The deadline answers for the work whatever it is waiting on (a request, a retry's wait, a credential
 * command), but does not stop it: `expired` is where the caller aborts what is still in flight, or the
 * work would go on running, and keep the process alive, after its answer was given up. A failure of the
 * work after the deadline goes nowhere: the race already handles it.
 */
export async function withDeadline<T>(work: Promise<T>, timeoutMs: number, expired: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(expired()), timeoutMs);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
