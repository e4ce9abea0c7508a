import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { crashAfterCommit, denoScript, termsOf } from "../support/contract/deno";
import { createTrial, createUser, createUsers, sql } from "../support/contract/fixtures";

/**
 * Deno only: a crash between the KV commit and the Postgres write is repaired by the cron
 * drain. The "crash" is a real process that commits decisions to its own KV file and exits
 * before anything drains (deno/tests/crash-after-commit.ts); the repair is the minute job,
 * run once by deno/run-job.ts exactly as Deno.cron runs it.
 */
const dir = mkdtempSync(join(tmpdir(), "tryit-crash-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The minute job against `kvPath`, with the target's configuration plus `overrides`. */
function runMinuteJob(kvPath: string, overrides: Record<string, string> = {}) {
  const run = denoScript("deno/run-job.ts", ["minute"], { dir, kvPath, overrides });
  const drain = run.stdout
    .split("\n")
    .filter((line) => line.includes('"cron.outbox_drain"'))
    .map((line) => JSON.parse(line) as { written: number; retried: number; deferred: number });
  return { ...run, drain: drain[0] };
}

const rows = (trialId: string) =>
  sql<{ id: string; seq: number; status: string }>(
    "SELECT id, seq, status FROM applications WHERE trial_id = $1 ORDER BY seq",
    [trialId],
  );

describe("Deno: crash between the KV commit and the Postgres write", () => {
  it("leaves the decisions in the KV outbox, and the cron drain persists them exactly once", async () => {
    const company = await createUser("COMPANY");
    const trial = await createTrial(company, { slots: 2, waitlistSize: 1 });
    const members = await createUsers("MEMBER", 4);
    const kvPath = join(dir, "crashed.sqlite3");
    const crashed = crashAfterCommit(
      dir,
      kvPath,
      termsOf(trial, 2, 1),
      members.map((m) => m.id),
    );
    expect(crashed.status, crashed.stderr).toBe(137);
    const results = JSON.parse(crashed.stdout) as {
      kind: string;
      application?: { status: string };
    }[];
    expect(results.filter((r) => r.kind === "created")).toHaveLength(3);
    expect(await rows(trial.id)).toEqual([]);

    // Postgres unreachable during the first drain: nothing is lost, the entries wait.
    const down = runMinuteJob(kvPath, { PG_WS_PROXY: "127.0.0.1:9" });
    expect(down.status).toBe(1);
    expect(down.drain).toMatchObject({ written: 0, retried: 4 }); // 3 decisions + FULL
    expect(await rows(trial.id)).toEqual([]);

    // After the consumer's backoff (2 s for a first retry) the next drain delivers them.
    await new Promise((r) => setTimeout(r, 2_500));
    const repaired = runMinuteJob(kvPath);
    expect(repaired.status, repaired.stderr).toBe(0);
    expect(repaired.drain).toMatchObject({ written: 4, retried: 0, deferred: 0 }); // 3 + FULL
    const persisted = await rows(trial.id);
    expect(persisted.map((r) => [r.seq, r.status])).toEqual([
      [1, "WON"],
      [2, "WON"],
      [3, "WAITLISTED"],
    ]);
    const notified = await sql<{ kind: string }>(
      "SELECT kind FROM notifications WHERE trial_id = $1 ORDER BY kind",
      [trial.id],
    );
    expect(notified.map((n) => n.kind)).toEqual(["WAITLISTED", "WON", "WON"]);

    // Drained means gone from the outbox: the next run finds nothing and changes nothing.
    const again = runMinuteJob(kvPath);
    expect(again.status).toBe(0);
    expect(again.drain).toMatchObject({ written: 0, retried: 0, deferred: 0 });
    expect(await rows(trial.id)).toEqual(persisted);
    const notifiedAgain = await sql("SELECT id FROM notifications WHERE trial_id = $1", [trial.id]);
    expect(notifiedAgain).toHaveLength(3);
  });
});
