/**
 * The layers of Try-it and the one direction their imports run (issue 14, ARCHITECTURE.md).
 * `npm run check` fails on any arrow below; `npm run deps` prints every violation with its
 * rule. Paths are relative to the repository root.
 *
 *   core/            decisions, events, ports, closed lists: imports nothing of the project
 *   db/              drizzle schema and client: imports core/ only
 *   durable-objects/ Cloudflare's gate and revocation list: imports core/ only
 *   workers/         the app (Hono, services, adapters, queues, cron) and its Cloudflare entry
 *   deno/            the Deno runtime, entry included: may import the app, db/ and core/
 *   clients/         what callers of the API run (the live room's client): imports core/ only
 *   test/ bench/ scripts/ deno/tests/  tools: may import anything, nothing imports them
 *                    (but clients/ may be imported by the tools only)
 */

/** Code that only runs the product's code from outside: tests, benchmarks, scripts. */
const TOOLS = "^(test|bench|scripts)/|^deno/tests/|^[^/]+\\.config\\.ts$";

/**
 * Deno's implementations of the ports (everything in deno/ that is not wiring or tests).
 * The wiring (main, runtime, jobs, background, run-job) assembles services; adapters don't.
 */
const DENO_ADAPTERS = "^deno/(?!(main|runtime|jobs|background|run-job)\\.ts$|tests/)";

module.exports = {
  forbidden: [
    {
      name: "no-circular",
      comment:
        "Modules that import each other cannot be understood, tested or moved one at a " +
        "time, and their load order decides what is undefined: no cycle anywhere.",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    {
      name: "core-imports-nothing-of-the-project",
      comment:
        "core/ is the pure decision logic and the ports both runtimes share; it stays " +
        "runnable and testable without any runtime, database or app around it.",
      severity: "error",
      from: { path: "^core/" },
      to: { path: "^(workers|durable-objects|deno|db|migrations|clients|test|bench|scripts)/" },
    },
    {
      name: "db-imports-core-only",
      comment:
        "db/ (schema and client) is used by the app, its adapters and the Deno runtime; " +
        "importing any of them back would tie the schema to one runtime.",
      severity: "error",
      from: { path: "^db/" },
      to: { path: "^(workers|durable-objects|deno|test|bench|scripts)/" },
    },
    {
      name: "durable-objects-import-core-only",
      comment:
        "A Durable Object is deployed with the Worker but runs on its own: what it needs of " +
        "Cloudflare lives beside it, what it shares with Deno lives in core/.",
      severity: "error",
      from: { path: "^durable-objects/" },
      to: { path: "^(workers|deno|db|test|bench|scripts)/" },
    },
    {
      name: "pages-reach-data-only-through-the-api",
      comment:
        "The pages (workers/pages/) are a client of /v1 (docs/decisions/0039): a page that " +
        "read the database or called a service would skip the routes' validation and guards.",
      severity: "error",
      from: { path: "^workers/pages/" },
      to: {
        path: "^(db|durable-objects|deno|migrations)/|^workers/(?!pages/|context\\.ts$|errors\\.ts$|openapi/responses\\.ts$)",
      },
    },
    {
      name: "app-never-imports-deno",
      comment:
        "workers/ is the app both runtimes serve; the Deno runtime wraps it, not the " +
        "other way round, so the app bundles for Cloudflare without any Deno code.",
      severity: "error",
      from: { path: "^workers/" },
      to: { path: "^deno/" },
    },
    {
      name: "only-the-cloudflare-entry-imports-durable-objects",
      comment:
        "The objects are exported by workers/index.ts (wrangler binds them there); the rest " +
        "of the app reaches them through ports and the Env binding types, and Deno has its " +
        "own gate, so no other file depends on them.",
      severity: "error",
      from: { path: "^(workers|deno|db|core)/", pathNot: "^workers/index\\.ts$" },
      to: { path: "^durable-objects/" },
    },
    {
      name: "adapters-import-ports-not-services",
      comment:
        "An adapter implements a port of core/ for one runtime or vendor; a service uses " +
        "ports. An adapter reaching into a service turns the arrow round and hides wiring.",
      severity: "error",
      from: { path: `^workers/adapters/|${DENO_ADAPTERS}` },
      to: { path: "^workers/services/" },
    },
    {
      name: "clients-import-core-only",
      comment:
        "clients/ runs on the caller's side (Node, Deno, a browser): it speaks the API's " +
        "messages, declared in core/, and must not pull in the server, its database or tools.",
      severity: "error",
      from: { path: "^clients/" },
      to: { path: "^(workers|durable-objects|deno|db|migrations|test|bench|scripts)/" },
    },
    {
      name: "only-the-tools-import-clients",
      comment:
        "The server never calls itself through its own client; tests, benchmarks and " +
        "scripts do, so a client's change shows up in what drives the product, not in it.",
      severity: "error",
      from: { pathNot: `${TOOLS}|^clients/` },
      to: { path: "^clients/" },
    },
    {
      name: "nothing-imports-the-tools",
      comment:
        "Tests, benchmarks and scripts drive the product; product code that imports them " +
        "would ship test doubles or local-stack code to production.",
      severity: "error",
      from: { pathNot: TOOLS },
      to: { path: TOOLS },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    // Type-only imports are arrows too: a type from the wrong layer couples it all the same.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    // Deno's own specifiers (npm:, jsr:) and the Workers runtime's (cloudflare:) resolve at
    // run time; they are not files of the project, so no rule reads them.
    exclude: { path: "^(node_modules|\\.wrangler|openapi)/" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      extensions: [".ts", ".js", ".mjs", ".cjs", ".json", ".d.ts"],
    },
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};
