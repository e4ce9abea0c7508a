import { defineConfig } from "vitest/config";

/**
 * The black-box HTTP contract suite (`test/<capability>/*.contract.test.ts`), run in Node
 * against a real server: CONTRACT_TARGET=workers (wrangler dev) or deno (two Deno servers on
 * one KV file). The same files run against both; `npm test` runs both. Deno-only behaviour
 * (crash repair of the KV outbox, its metrics) is in `*.deno-only.test.ts` beside them and
 * runs with the Deno target only.
 */
const deno = process.env.CONTRACT_TARGET === "deno";

export default defineConfig({
  test: {
    name: `contract-${deno ? "deno" : "workers"}`,
    globalSetup: ["./test/support/setup/contract-global-setup.ts"],
    include: ["test/**/*.contract.test.ts", ...(deno ? ["test/**/*.deno-only.test.ts"] : [])],
    // One file at a time: the servers under test share two CPUs with the runner, and two
    // heavy files at once (a browser drop beside 1,200 sockets, or beside a 200-read burst)
    // starved each other into timeouts that say nothing about the product.
    fileParallelism: false,
    testTimeout: 90_000,
    hookTimeout: 180_000,
  },
});
