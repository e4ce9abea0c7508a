import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { crashAfterCommit, denoScript, termsOf } from "../support/contract/deno";
import { createTrial, createUser, sql } from "../support/contract/fixtures";

/**
 * Deno only (the workerd pool has its own, test/repair/reconcile-poison.test.ts): issue 13,
 * finding 7. Reconciliation meets a lost decision Postgres refuses (its member's account is
 * gone: the foreign key) between two it can restore; the two are restored, the refused one
 * is left behind and reported, and the run ends normally.
 */
const dir = mkdtempSync(join(tmpdir(), "tryit-reconcile-poison-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("Deno: reconciliation past a row Postgres refuses", () => {
  it("restores the rows around it and reports it as one item failure", async () => {
    const company = await createUser("COMPANY");
    const trial = await createTrial(company, { slots: 3 });
    const [first, last] = [await createUser("MEMBER"), await createUser("MEMBER")];
    const gone = crypto.randomUUID(); // no user row: Postgres refuses its application
    const kvPath = join(dir, "poison.sqlite3");

    const crashed = crashAfterCommit(dir, kvPath, termsOf(trial, 3, 0), [first.id]);
    expect(crashed.status, crashed.stderr).toBe(137);
    // One at a time, so the seqs are in this order: the refused row sits in the middle.
    for (const userId of [gone, last.id]) {
      const more = crashAfterCommit(dir, kvPath, termsOf(trial, 3, 0), [userId]);
      expect(more.status, more.stderr).toBe(137);
    }

    const run = denoScript("deno/tests/reconcile-everything.ts", [], { dir, kvPath });
    expect(run.status, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout.trim().split("\n").at(-1) ?? "null");
    expect(summary).toMatchObject({ rowsRepaired: 2, failedTrials: 0 });
    const failures = `${run.stdout}\n${run.stderr}`
      .split("\n")
      .filter((line) => line.includes('"job.item_failed"'))
      .map((line) => JSON.parse(line.slice(line.indexOf("{"))) as { job: string; item: string });
    expect(failures).toContainEqual(
      expect.objectContaining({ job: "reconcile", item: expect.stringContaining(trial.id) }),
    );
    const rows = await sql("SELECT user_id FROM applications WHERE trial_id = $1 ORDER BY seq", [
      trial.id,
    ]);
    expect(rows.map((r) => r.user_id)).toEqual([first.id, last.id]);
  });
});
