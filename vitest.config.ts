import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'threads',
    // Every check gets an inventory that refuses the kinds it did not declare (src/inventory/read-guard.ts).
    env: { KFSCAN_STRICT_READS: '1' },
  },
});
