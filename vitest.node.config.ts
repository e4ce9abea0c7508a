import { defineConfig } from "vitest/config";

/**
 * Tests that run in plain Node with no server (`test/<capability>/*.node.test.ts`): they read
 * the repository itself, e.g. the import layers that `npm run check` enforces.
 */
export default defineConfig({
  test: {
    name: "node",
    include: ["test/**/*.node.test.ts"],
    testTimeout: 120_000,
  },
});
