import { describe, expect, it } from 'vitest';
import { MemoryBudget } from '../src/live/memory-budget.js';

describe('the memory budget contexts read at once share', () => {
  it('lets a context wait for room while another is read, and gives up when nothing could free any', async () => {
    const budget = new MemoryBudget(1);
    // Nothing fits in one byte: every answer leaves the budget full.
    expect(budget.check(1_000_000)).toBe('full');

    budget.enter();
    // Alone, waiting would never end.
    await expect(budget.waitForRoom()).resolves.toBe(false);

    budget.enter();
    const waiting = budget.waitForRoom();
    // The other context is the one still reading: when every other context waits too, nobody frees memory.
    await expect(budget.waitForRoom()).resolves.toBe(false);
    budget.leave();
    await expect(waiting).resolves.toBe(true);

    budget.enter();
    const abort = new AbortController();
    const cut = budget.waitForRoom(abort.signal);
    abort.abort();
    await expect(cut).resolves.toBe(false);
  });
});
