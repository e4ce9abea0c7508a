import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

/**
 * Tests run inside workerd (the real Workers runtime) with the real TrialGate objects and
 * queues from wrangler.toml. The global setup (in Node) picks a real Postgres, migrates
 * it and starts the WebSocket proxy; its addresses reach the Worker as bindings.
 */
export default defineConfig({
  plugins: [
    cloudflareTest(({ inject }) => ({
      main: "./workers/index.ts",
      wrangler: { configPath: "./wrangler.toml" },
      miniflare: {
        bindings: {
          DATABASE_URL: inject("databaseUrl"),
          PG_WS_PROXY: inject("wsProxy"),
          JWT_SECRET: "test-only-secret-that-is-long-enough-0123456789",
          ADMIN_EMAILS: "root@tryit.test",
        },
      },
    })),
  ],
  test: {
    globalSetup: ["./test/setup/global-setup.ts"],
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
