import { listDurableObjectIds, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createUser } from "../support/workerd/fixtures";
import { api } from "../support/workerd/http";

const idOf = (trialId: string) => env.TRIAL_GATE.idFromName(trialId);

/** Objects of the namespace that exist (locally: that have a storage file). */
const existingObjects = async () =>
  (await listDurableObjectIds(env.TRIAL_GATE)).map((id) => id.toString());

/** Tables, entries and alarm of the trial's object (looking wakes it, and writes nothing). */
function storageOf(trialId: string) {
  return runInDurableObject(env.TRIAL_GATE.get(idOf(trialId)), async (_gate, state) => ({
    tables: state.storage.sql
      .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")
      .toArray()
      .map((r) => r.name),
    entries: (await state.storage.list()).size,
    alarm: await state.storage.getAlarm(),
  }));
}

describe("requests naming a trial that does not exist (issue 13, finding 11)", () => {
  it("GET /v1/trials/{random uuid} answers 404 and creates no Durable Object", async () => {
    const guessed = crypto.randomUUID();
    expect((await api("GET", `/v1/trials/${guessed}`)).status).toBe(404);
    expect(await existingObjects()).not.toContain(idOf(guessed).toString());
  });

  it("a member's reads, withdrawal and application leave the object's storage empty", async () => {
    const member = await createUser("MEMBER");
    const guessed = crypto.randomUUID();
    const answers = [
      await api("GET", `/v1/trials/${guessed}/applications/me`, { token: member.token }),
      await api("DELETE", `/v1/trials/${guessed}/applications/me`, { token: member.token }),
      await api("POST", `/v1/trials/${guessed}/applications`, { token: member.token, body: {} }),
    ];
    expect(answers.map((r) => r.status)).toEqual([404, 404, 404]);
    expect(await storageOf(guessed)).toEqual({ tables: [], entries: 0, alarm: null });
  });
});
