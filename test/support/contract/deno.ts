import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { inject } from "vitest";
import { denoServerArgs } from "../../../scripts/local-stack/supervision/deno-server";

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));

/** Runs the project's Deno with `args` to its end (a minute at most). */
function deno(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(resolve(ROOT, "node_modules/.bin/deno"), args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    encoding: "utf8",
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/**
 * A script run the way the server runs (same permissions and flags), against `kvPath`, with
 * the target's configuration plus `overrides`; info lines on, for the tests that read them.
 */
export function denoScript(
  script: string,
  args: string[],
  {
    dir,
    kvPath,
    overrides = {},
  }: { dir: string; kvPath: string; overrides?: Record<string, string> },
) {
  const { bin: _bin, args: serverArgs } = denoServerArgs(ROOT, dir, script);
  return deno([...serverArgs, ...args], {
    ...inject("targetEnv"),
    LOG_LEVEL: "info",
    DENO_KV_PATH: kvPath,
    ...overrides,
  });
}

/** A process that commits decisions for `userIds` to `kvPath` and dies before any drain. */
export function crashAfterCommit(
  dir: string,
  kvPath: string,
  terms: Record<string, unknown>,
  userIds: string[],
) {
  return deno([
    "run",
    `--allow-read=${ROOT},${dir}`,
    `--allow-write=${dir}`,
    "deno/tests/crash-after-commit.ts",
    kvPath,
    JSON.stringify(terms),
    ...userIds,
  ]);
}

/** The gate terms of a trial as the API answered it. */
export function termsOf(trial: { id: string }, slots: number, waitlistSize: number) {
  const t = trial as unknown as { opensAt: string; closesAt: string };
  return {
    trialId: trial.id,
    slots,
    waitlistSize,
    opensAt: Date.parse(t.opensAt),
    closesAt: Date.parse(t.closesAt),
  };
}
