import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

function redisBindings(rest: { url: string; token: string } | null): Record<string, string> {
  if (!rest) return {};
  return {
    UPSTASH_REDIS_REST_URL: rest.url,
    UPSTASH_REDIS_REST_TOKEN: rest.token,
    // Files run in parallel on small machines: a slow moment must not turn an asserted
    // cache hit into a miss. The 150 ms default is tested on its own (test/cache/fail-open).
    CACHE_TIMEOUT_MS: "2000",
  };
}

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
          // Every test request comes from one address (no CF-Connecting-IP): limits that never
          // trip here; test/rate-limits sets small ones on an app of its own.
          RATE_LIMIT_LOGIN_PER_IP: "100000/60",
          RATE_LIMIT_LOGIN_PER_EMAIL: "100000/60",
          RATE_LIMIT_SIGNUP_PER_IP: "100000/60",
          RATE_LIMIT_APPLY_PER_MEMBER: "100000/60",
          // Caching and rate limiting on, through the bridge, whenever a Redis answers.
          ...redisBindings(inject("redisRest")),
          // Slack result messages go to the fake Slack (test/setup/fake-slack.ts).
          SLACK_API_BASE_URL: inject("fakeSlack"),
          SLACK_BOT_TOKEN: "xoxb-test-fake-slack-token",
        },
      },
    })),
  ],
  test: {
    // A request line per API call would bury the test report; test/ops/logs.test.ts spies on
    // the console itself, so it still sees every line.
    onConsoleLog: (log) => !log.includes('"event":"request"'),
    globalSetup: ["./test/setup/global-setup.ts"],
    include: ["test/**/*.test.ts"],
    // Run in Node against real servers by vitest.contract.config.ts.
    exclude: ["test/contract/**", "test/deno-target/**"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
