import {
  createExecutionContext,
  createScheduledController,
  waitOnExecutionContext,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { trials } from "../../db/schema";
import worker from "../../workers/index";
import { withDb } from "../support/workerd/db";
import { createTrial, createUser } from "../support/workerd/fixtures";

const hour = 3_600_000;

async function fireCron(at: number) {
  const ctx = createExecutionContext();
  await worker.scheduled(
    createScheduledController({ cron: "* * * * *", scheduledTime: at }),
    env,
    ctx,
  );
  await waitOnExecutionContext(ctx);
}

const statusOf = async (id: string) => {
  const [row] = await withDb((db) => db.select().from(trials).where(eq(trials.id, id)));
  return { status: row?.status, closedReason: row?.closedReason };
};

describe("status sync cron", () => {
  it("writes SCHEDULED → OPEN → CLOSED(ENDED) by comparing times, and a repeat changes nothing", async () => {
    const company = await createUser("COMPANY");
    const opensAt = Date.now() + hour;
    const trial = await createTrial(company, {
      opensAt: new Date(opensAt),
      closesAt: new Date(opensAt + hour),
    });
    expect(await statusOf(trial.id)).toEqual({ status: "SCHEDULED", closedReason: null });

    await fireCron(opensAt - 1);
    expect(await statusOf(trial.id)).toEqual({ status: "SCHEDULED", closedReason: null });

    // A tick long after opening still catches the transition (no expiry event to miss).
    await fireCron(opensAt + 10 * 60_000);
    expect(await statusOf(trial.id)).toEqual({ status: "OPEN", closedReason: null });

    await fireCron(opensAt + hour);
    expect(await statusOf(trial.id)).toEqual({ status: "CLOSED", closedReason: "ENDED" });
    const [before] = await withDb((db) => db.select().from(trials).where(eq(trials.id, trial.id)));
    await fireCron(opensAt + 2 * hour);
    const [after] = await withDb((db) => db.select().from(trials).where(eq(trials.id, trial.id)));
    expect(after).toEqual(before);
  });
});
