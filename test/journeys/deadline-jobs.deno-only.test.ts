import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { denoScript } from "../support/contract/deno";
import { createTrial, createUser, sql, type TestUser } from "../support/contract/fixtures";

/**
 * Deno only: the review deadline's minute job with the Deno target's own wiring (Deno.cron's
 * job run by deno/run-job.ts exactly as the cron runs it, and the in-process notifications
 * queue): a missed deadline becomes one strike and one Slack message, a reminder one message,
 * however often the job runs.
 */
const dir = mkdtempSync(join(tmpdir(), "tryit-journeys-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const fakeSlack = inject("fakeSlack");
const slackMessages = async (channel: string) => {
  const res = await fetch(`${fakeSlack}/__fake/messages?channel=${encodeURIComponent(channel)}`);
  return ((await res.json()) as { messages: { text: string }[] }).messages;
};

let seq = 1;

/** A shipped winner with a linked Slack id whose review is due `dueInMs` from now. */
async function shippedWinner(trialId: string, dueInMs: number) {
  const member: TestUser = await createUser("MEMBER");
  const slackId = `U${crypto.randomUUID().replace(/-/g, "").slice(0, 12).toUpperCase()}`;
  await sql("UPDATE users SET slack_id = $2 WHERE id = $1", [member.id, slackId]);
  const applicationId = crypto.randomUUID();
  await sql(
    `INSERT INTO applications (id, trial_id, user_id, seq, status, applied_at, decided_at, version, confirmed_at)
     VALUES ($1, $2, $3, $4, 'WON', now(), now(), 1, now())`,
    [applicationId, trialId, member.id, seq++],
  );
  await sql(
    `INSERT INTO winner_journeys (application_id, trial_id, user_id, carrier, tracking_number, shipped_at, review_due_at)
     VALUES ($1, $2, $3, 'DHL', 'JJD-1', now() - interval '10 days', now() + make_interval(secs => $4))`,
    [applicationId, trialId, member.id, dueInMs / 1000],
  );
  return { member, slackId, applicationId };
}

describe("Deno: the review deadline's minute job", () => {
  it("one strike and one message for a missed deadline, one reminder, however often it runs", async () => {
    const company = await createUser("COMPANY");
    const trial = await createTrial(company);
    const missed = await shippedWinner(trial.id, -3_600_000);
    const tomorrow = await shippedWinner(trial.id, 12 * 3_600_000);
    const paths = { dir, kvPath: join(dir, "kv.sqlite3") };

    for (let run = 0; run < 2; run++) {
      const minute = denoScript("deno/run-job.ts", ["minute"], paths);
      expect(minute.status, minute.stderr).toBe(0);
    }

    const struck = await sql("SELECT user_id FROM strikes WHERE application_id = $1", [
      missed.applicationId,
    ]);
    expect(struck).toEqual([{ user_id: missed.member.id }]);
    const told = await sql(
      "SELECT application_id, kind, status FROM notifications WHERE trial_id = $1 ORDER BY kind",
      [trial.id],
    );
    expect(told).toEqual([
      { application_id: tomorrow.applicationId, kind: "REVIEW_DUE_IN_1_DAY", status: "SENT" },
      { application_id: missed.applicationId, kind: "STRIKE_RECORDED", status: "SENT" },
    ]);
    const strikeMessages = await slackMessages(missed.slackId);
    expect(strikeMessages).toHaveLength(1);
    expect(strikeMessages[0]?.text).toContain("a strike was recorded");
    const reminders = await slackMessages(tomorrow.slackId);
    expect(reminders).toHaveLength(1);
    expect(reminders[0]?.text).toContain("due tomorrow");
  });
});
