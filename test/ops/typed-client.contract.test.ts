import { hc } from "hono/client";
import { describe, expect, it } from "vitest";
import type { App } from "../../workers/app";
import { baseUrls } from "../support/contract/client";
import { createTrial, createUser } from "../support/contract/fixtures";

/**
 * The typed client a TypeScript consumer gets from the app's own route types (README): a
 * path or a parameter the API does not have would not compile. Run against both runtimes.
 */
describe("the typed client (hono/client)", () => {
  it("reads a trial and applies to it through typed calls", async () => {
    const company = await createUser("COMPANY");
    const member = await createUser("MEMBER");
    const trial = await createTrial(company, { slots: 2 });
    const client = hc<App>(baseUrls[0] ?? "");

    const read = await client.v1.trials[":id"].$get({ param: { id: trial.id } });
    expect(read.status).toBe(200);
    const body = await read.json();
    expect(body).toMatchObject({ id: trial.id, slots: 2, remaining: 2 });

    const applied = await client.v1.trials[":id"].applications.$post(
      { param: { id: trial.id }, json: {} },
      { headers: { authorization: `Bearer ${member.token}` } },
    );
    expect(applied.status).toBe(201);
    expect(await applied.json()).toMatchObject({ trialId: trial.id, userId: member.id, seq: 1 });
  });
});
