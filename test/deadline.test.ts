import { describe, expect, it } from 'vitest';
import { withDeadline } from '../src/core/deadline.js';

describe('withDeadline', () => {
  it('answers with the work when it settles first, and never calls expired', async () => {
    let expiredCalls = 0;
    const expired = (): Error => {
      expiredCalls++;
      return new Error('late');
    };
    await expect(withDeadline(Promise.resolve(42), 50, expired)).resolves.toBe(42);
    await expect(withDeadline(Promise.reject(new Error('refused')), 50, expired)).rejects.toThrow('refused');
    // Past the deadline, the timer must have been cleared: expired would have run by now.
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(expiredCalls).toBe(0);
  });

  it('answers with expired()’s error at the deadline, once, and a late failure of the work goes nowhere', async () => {
    let expiredCalls = 0;
    let failLate: (error: Error) => void = () => {};
    const work = new Promise<number>((_, reject) => {
      failLate = reject;
    });
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => {
      unhandled.push(reason);
    };
    process.on('unhandledRejection', onUnhandled);
    try {
      await expect(
        withDeadline(work, 20, () => {
          expiredCalls++;
          return new Error('not answered in time');
        }),
      ).rejects.toThrow('not answered in time');
      failLate(new Error('the work failed after its deadline'));
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(expiredCalls).toBe(1);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
