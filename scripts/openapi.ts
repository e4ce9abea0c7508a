// `npm run openapi:generate`: writes the OpenAPI document generated from the app's routes and
// validators (workers/openapi/generate.ts) to openapi/openapi.json: for tools and readers, and
// the very file GET /openapi.json serves (workers/routes/openapi.ts imports it).
// `npm run openapi:check` (`--check`, part of `npm run check`) fails when it is stale or not
// valid OpenAPI 3.1.
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { Validator } from "@seriousme/openapi-schema-validator";
import { generateOpenApi } from "../workers/openapi/generate";

const JSON_FILE = "openapi/openapi.json";

async function main(): Promise<void> {
  const fresh = generateOpenApi();
  if (!process.argv.includes("--check")) {
    writeFileSync(JSON_FILE, `${JSON.stringify(fresh, null, 2)}\n`);
    // The committed file passes `biome check .` as written, so the check never fights it.
    execFileSync("npx", ["biome", "format", "--write", JSON_FILE], { stdio: "inherit" });
    console.log(`[openapi] wrote ${JSON_FILE}`);
    return;
  }
  const committed = JSON.stringify(JSON.parse(readFileSync(JSON_FILE, "utf8")));
  if (committed !== JSON.stringify(fresh)) {
    console.error(
      `[openapi] ${JSON_FILE} differs from the routes and validators: run \`npm run openapi:generate\` and commit the result.`,
    );
    process.exit(1);
  }
  // Against the official OpenAPI 3.1 schema (not only our own structural test).
  const validation = await new Validator().validate(fresh as unknown as Record<string, unknown>);
  if (!validation.valid) {
    console.error(
      `[openapi] not a valid OpenAPI 3.1 document: ${JSON.stringify(validation.errors, null, 2)}`,
    );
    process.exit(1);
  }
  console.log("[openapi] the committed document matches the app and validates as OpenAPI 3.1");
}

main().catch((err: unknown) => {
  console.error(`[openapi] ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
