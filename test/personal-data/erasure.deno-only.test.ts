import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { JOURNEY_RULES } from "../../core/vocabulary/journey";
import { denoScript } from "../support/contract/deno";
import { createUser } from "../support/contract/fixtures";
import { closedTrial, confirmedWinner, withAddress } from "./contract-fixtures";

/**
 * Deno only: the daily job as Deno.cron runs it (deno/run-job.ts daily, the server's own
 * wiring) erases the addresses of trials closed more than 90 days ago and keeps the rest.
 * Cloudflare's Cron Trigger runs the same runScheduled (test/personal-data/erasure.test.ts).
 */
const dir = mkdtempSync(join(tmpdir(), "tryit-erasure-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const RETENTION = JOURNEY_RULES.addressRetentionDays;

describe("Deno: the daily job erases addresses past their retention", () => {
  it(`erases those of trials closed more than ${RETENTION} days ago, keeps the others`, async () => {
    const company = await createUser("COMPANY");
    const [a, b, c] = await Promise.all([
      createUser("MEMBER"),
      createUser("MEMBER"),
      createUser("MEMBER"),
    ]);
    const past = await confirmedWinner(await closedTrial(company, RETENTION + 1), a, 1);
    const within = await confirmedWinner(await closedTrial(company, RETENTION - 1), b, 1);
    const recent = await confirmedWinner(await closedTrial(company, 2), c, 1);
    const ids = [past, within, recent].map((w) => w.applicationId);

    // A KV file of its own: the erasure reads Postgres only, and the servers' gates stay theirs.
    const run = denoScript("deno/run-job.ts", ["daily"], { dir, kvPath: join(dir, "kv.sqlite3") });
    expect(run.status, run.stderr).toBe(0);
    const erasure = run.stdout.split("\n").find((l) => l.includes('"cron.address_erasure"'));
    expect(JSON.parse(erasure ?? "{}").erased).toBeGreaterThanOrEqual(1);
    expect(await withAddress(ids)).toEqual([within.applicationId, recent.applicationId].sort());
  });
});
