import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

/**
 * The import layers (.dependency-cruiser.cjs, run by `npm run check`): the repository keeps
 * them, and each rule really fires on a wrong-way import, so a rule that matches nothing
 * (a typo in a path, a folder renamed) cannot pass unnoticed.
 */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const DEPCRUISE = join(ROOT, "node_modules/.bin/depcruise");
const CONFIG = join(ROOT, ".dependency-cruiser.cjs");

interface Violation {
  rule: { name: string };
  from: string;
  to: string;
}

/** The violations `depcruise .` finds in `cwd` under the project's rules, as "rule: from → to". */
function cruise(cwd: string): string[] {
  const run = spawnSync(DEPCRUISE, [".", "--config", CONFIG, "--output-type", "json"], {
    cwd,
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  });
  if (!run.stdout) throw new Error(`depcruise printed nothing: ${run.stderr}`);
  const { violations } = JSON.parse(run.stdout).summary as { violations: Violation[] };
  return violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`).sort();
}

/** A tree laid out like the project's, each file importing the files it names. */
const FIXTURE: Record<string, string[]> = {
  "core/ports/port.ts": [],
  "core/decide.ts": ["../workers/lib/util"], // wrong: core imports the app
  "workers/lib/util.ts": [],
  "db/schema.ts": ["../core/ports/port", "../workers/lib/util"], // wrong: db imports the app
  "durable-objects/gate.ts": ["../core/ports/port", "../workers/lib/util"], // wrong
  "workers/index.ts": ["../durable-objects/gate", "./app"], // the Cloudflare entry may
  "workers/app.ts": ["./services/service", "../deno/kv"], // wrong: the app imports deno/
  "workers/services/service.ts": ["../../db/schema", "../../core/ports/port"],
  "workers/routes/route.ts": ["../../durable-objects/gate"], // wrong: not the entry
  "workers/adapters/adapter.ts": ["../../core/ports/port", "../services/service"], // wrong
  "deno/kv.ts": ["../core/ports/port", "../workers/services/service"], // wrong: an adapter
  "deno/runtime.ts": ["../workers/services/service", "./kv"], // wiring may use services
  "deno/main.ts": ["../workers/app", "./runtime"],
  "deno/jobs.ts": ["../durable-objects/gate"], // wrong: Deno has its own gate
  "workers/lib/fixture-user.ts": ["../../test/helpers"], // wrong: product imports a test
  "clients/room.ts": ["../core/ports/port", "../workers/lib/util"], // wrong: a client imports the app
  "workers/lib/self-call.ts": ["../../clients/room"], // wrong: the product imports a client
  "test/helpers.ts": ["../workers/app", "../durable-objects/gate", "../clients/room"], // tests may import all
  "workers/queues/a.ts": ["./b"],
  "workers/queues/b.ts": ["type:./a"], // a cycle, closed by a type-only import
};

const EXPECTED = [
  "adapters-import-ports-not-services: deno/kv.ts → workers/services/service.ts",
  "adapters-import-ports-not-services: workers/adapters/adapter.ts → workers/services/service.ts",
  "app-never-imports-deno: workers/app.ts → deno/kv.ts",
  "clients-import-core-only: clients/room.ts → workers/lib/util.ts",
  "core-imports-nothing-of-the-project: core/decide.ts → workers/lib/util.ts",
  "db-imports-core-only: db/schema.ts → workers/lib/util.ts",
  "durable-objects-import-core-only: durable-objects/gate.ts → workers/lib/util.ts",
  // Reported once, from its first module; b's type-only arrow back is what closes it.
  "no-circular: workers/queues/a.ts → workers/queues/b.ts",
  "nothing-imports-the-tools: workers/lib/fixture-user.ts → test/helpers.ts",
  "only-the-cloudflare-entry-imports-durable-objects: deno/jobs.ts → durable-objects/gate.ts",
  "only-the-cloudflare-entry-imports-durable-objects: workers/routes/route.ts → durable-objects/gate.ts",
  "only-the-tools-import-clients: workers/lib/self-call.ts → clients/room.ts",
];

function layFixture(): string {
  const dir = mkdtempSync(join(tmpdir(), "tryit-layers-"));
  writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: { strict: true } }));
  for (const [file, imports] of Object.entries(FIXTURE)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    const lines = imports.map((spec, i) =>
      spec.startsWith("type:")
        ? `import type { value as t${i} } from "${spec.slice(5)}";\nexport type T${i} = typeof t${i};`
        : `import { value as v${i} } from "${spec}";\nexport const v${i}Seen = v${i};`,
    );
    writeFileSync(join(dir, file), `${lines.join("\n")}\nexport const value = 1;\n`);
  }
  return dir;
}

describe("import layers (.dependency-cruiser.cjs)", () => {
  const fixture = layFixture();
  afterAll(() => rmSync(fixture, { recursive: true, force: true }));

  it("the repository keeps every rule: no wrong-way import, no cycle", () => {
    expect(cruise(ROOT)).toEqual([]);
  }, 120_000);

  it("every rule fires on a wrong-way import and a cycle, and the allowed arrows pass", () => {
    expect(cruise(fixture)).toEqual(EXPECTED);
  }, 120_000);
});
