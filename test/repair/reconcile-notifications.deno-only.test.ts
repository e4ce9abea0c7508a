import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { crashAfterCommit, denoScript, termsOf } from "../support/contract/deno";
import { createTrial, createUser, sql } from "../support/contract/fixtures";

/**
 * Deno only: a decision whose message is lost (its KV outbox entry moved aside, so no drain
 * ever delivers it) is restored by reconciliation, with the Deno target's own wiring
 * (denoServices' in-process notifications queue), and announced once in Slack; the message
 * turning up late afterwards (the entry moved back and drained by the minute job) and a
 * second reconciliation announce nothing more.
 */
const dir = mkdtempSync(join(tmpdir(), "tryit-reconcile-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const fakeSlack = inject("fakeSlack");
const slackMessages = async (channel: string) => {
  const res = await fetch(`${fakeSlack}/__fake/messages?channel=${encodeURIComponent(channel)}`);
  return ((await res.json()) as { messages: { text: string }[] }).messages;
};

/** The JSON the script printed on its last line of output. */
function lastJson<T>(run: { status: number | null; stdout: string; stderr: string }): T {
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout.trim().split("\n").at(-1) ?? "null") as T;
}

describe("Deno: reconciliation announces what it restores", () => {
  it("one Slack message for a restored decision, none more for the late message or the next run", async () => {
    const company = await createUser("COMPANY");
    const trial = await createTrial(company, { slots: 1 });
    const member = await createUser("MEMBER");
    const slackId = `U${crypto.randomUUID().replace(/-/g, "").slice(0, 12).toUpperCase()}`;
    // Linked as a verified id is stored; how a member proves one is the contract suite's.
    await sql("UPDATE users SET slack_id = $2 WHERE id = $1", [member.id, slackId]);
    const kvPath = join(dir, "lost.sqlite3");
    const paths = { dir, kvPath };

    const crashed = crashAfterCommit(dir, kvPath, termsOf(trial, 1, 0), [member.id]);
    expect(crashed.status, crashed.stderr).toBe(137);
    const hidden = denoScript("deno/tests/outbox-aside.ts", [kvPath, trial.id, "hide"], paths);
    const movedAside = lastJson<{ moved: number }>(hidden).moved;
    expect(movedAside).toBeGreaterThanOrEqual(1); // the decision (and the trial's FULL)

    const reconcile = () =>
      lastJson<{ rowsRepaired: number; conflicts: number; failedTrials: number }>(
        denoScript("deno/tests/reconcile-everything.ts", [], paths),
      );
    expect(reconcile()).toMatchObject({ rowsRepaired: 1, conflicts: 0 });
    const rows = await sql("SELECT status FROM applications WHERE trial_id = $1", [trial.id]);
    expect(rows).toEqual([{ status: "WON" }]);
    const messages = await slackMessages(slackId);
    expect(messages).toHaveLength(1);
    expect(messages[0]!.text).toContain("You got a place");

    // The lost message arrives late: the drain delivers it through the consumer.
    const restored = denoScript("deno/tests/outbox-aside.ts", [kvPath, trial.id, "restore"], paths);
    expect(lastJson<{ moved: number }>(restored).moved).toBe(movedAside);
    const minute = denoScript("deno/run-job.ts", ["minute"], paths);
    expect(minute.status, minute.stderr).toBe(0);
    const drained = minute.stdout
      .split("\n")
      .filter((line) => line.includes('"cron.outbox_drain"'))
      .map((line) => JSON.parse(line) as { written: number });
    expect(drained).toEqual([expect.objectContaining({ written: movedAside })]);
    expect(reconcile()).toMatchObject({ rowsRepaired: 0, conflicts: 0 });

    expect(await slackMessages(slackId)).toHaveLength(1);
    const notified = await sql("SELECT kind, status FROM notifications WHERE trial_id = $1", [
      trial.id,
    ]);
    expect(notified).toEqual([{ kind: "WON", status: "SENT" }]);
  });
});
