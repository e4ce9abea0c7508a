import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";
import { experimental_readRawConfig } from "wrangler";
import { newPersonalDataKeys } from "./scripts/local-stack/personal-data-keys";
import { newReceiptSigningKey } from "./scripts/local-stack/receipt-key";
import type { DeployedRateLimit } from "./test/support/workerd/deployed-rate-limits";

const deployedRateLimits = (experimental_readRawConfig({ config: "./wrangler.toml" }).rawConfig
  .ratelimits ?? []) as DeployedRateLimit[];

/**
 * Every test request comes from one address (no CF-Connecting-IP), so the suite's bindings
 * get limits that never trip. Each also has a twin `<NAME>_AS_DEPLOYED` with wrangler.toml's
 * own limit: test/rate-limits swaps the twins in to test the limits that ship.
 */
function rateLimitBindings() {
  const never = 1_000_000;
  return Object.fromEntries(
    deployedRateLimits.flatMap((r) => [
      [r.name, { simple: { limit: never, period: r.simple.period } }],
      [`${r.name}_AS_DEPLOYED`, { simple: r.simple }],
    ]),
  );
}

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
          // A fresh receipt key per run (receipts verify against GET /.well-known/jwks.json).
          RECEIPT_SIGNING_KEY: newReceiptSigningKey("workerd-test"),
          // A fresh key per run for winners' sealed addresses (test/personal-data).
          ...newPersonalDataKeys("workerd-test"),
          // Caching on, through the bridge, whenever a Redis answers.
          ...redisBindings(inject("redisRest")),
          // Slack result messages go to the fake Slack (test/support/setup/fake-slack.ts).
          SLACK_API_BASE_URL: inject("fakeSlack"),
          SLACK_BOT_TOKEN: "xoxb-test-fake-slack-token",
          // Here every SELF.fetch is dispatched from the test runner's object, and a request
          // woken by another's promise runs on in that other request's context (workerd proper,
          // under wrangler dev, keeps each in its own: see docs/decisions/0019). So this suite's
          // HTTP floods take the one-at-a-time path; the group commit is tested here at the gate
          // (test/applications/gate-apply-many.test.ts) and end to end on `wrangler dev` and Deno by the
          // contract suite (test/applications/apply.contract.test.ts).
          GATE_BATCHING: "off",
        },
        ratelimits: rateLimitBindings(),
      },
    })),
  ],
  test: {
    // A request line per API call would bury the test report; test/ops/logs.test.ts spies on
    // the console itself, so it still sees every line.
    onConsoleLog: (log) => !log.includes('"event":"request"'),
    globalSetup: ["./test/support/setup/workerd-global-setup.ts"],
    // test/rate-limits/wrangler-bindings.test.ts compares them with workers/rate-limits.ts.
    provide: { deployedRateLimits },
    // Each capability's folder holds both sides: *.contract.test.ts and *.deno-only.test.ts
    // run in Node against real servers by vitest.contract.config.ts.
    include: ["test/**/*.test.ts"],
    // *.node.test.ts run in plain Node with no server (vitest.node.config.ts).
    exclude: [
      "test/**/*.contract.test.ts",
      "test/**/*.deno-only.test.ts",
      "test/**/*.node.test.ts",
    ],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
