import { it } from 'vitest';
it('s', async () => { await new Promise((r) => setTimeout(r, 3000)); });
