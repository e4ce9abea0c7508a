import { describe, expect, it } from "vitest";
import { createTrial, createUser, createUsers } from "../helpers/fixtures";
import { errorCode } from "../helpers/http";
import { awayFromWindowEdge, limitedApp, uniqueIp } from "./limited-app";

const WINDOW = 3600;

describe("POST /v1/trials/:id/applications per member", () => {
  const call = limitedApp({ RATE_LIMIT_APPLY_PER_MEMBER: `5/${WINDOW}` });

  it("lets exactly 5 of 20 simultaneous applies from one member through", async () => {
    await awayFromWindowEdge(WINDOW);
    const company = await createUser("COMPANY");
    const trial = await createTrial(company, { slots: 3 });
    const [member, bystander] = await createUsers("MEMBER", 2);
    const ip = uniqueIp();
    const answers = await Promise.all(
      Array.from({ length: 20 }, () =>
        call("POST", `/v1/trials/${trial.id}/applications`, {
          ip,
          token: member!.token,
          body: {},
        }),
      ),
    );
    const statuses = answers.map((a) => a.status);
    const limited = answers.filter((a) => a.status === 429);
    expect(limited).toHaveLength(15);
    // Applying is idempotent: the first admitted one creates (201), the rest repeat it (200).
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 200)).toHaveLength(4);
    for (const res of limited) {
      expect(errorCode(res)).toBe("RATE_LIMITED");
      expect(Number(res.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    }

    // The limit is the member's, not the address's or the trial's.
    const other = await call("POST", `/v1/trials/${trial.id}/applications`, {
      ip,
      token: bystander!.token,
      body: {},
    });
    expect(other.status).toBe(201);
  });

  it("counts after authentication: an anonymous flood is 401, never 429 or 500", async () => {
    const company = await createUser("COMPANY");
    const trial = await createTrial(company);
    const ip = uniqueIp();
    for (let i = 0; i < 7; i++) {
      const res = await call("POST", `/v1/trials/${trial.id}/applications`, { ip, body: {} });
      expect(res.status).toBe(401);
    }
  });
});
