import { describe, expect, it } from "vitest";
import { createTrial, createUser, createUsers } from "../support/workerd/fixtures";
import { errorCode } from "../support/workerd/http";
import {
  awayFromWindowEdge,
  deployedApp,
  expectRateLimited,
  standard,
  uniqueIp,
} from "../support/workerd/limited-app";

const perMember = standard("applyPerMember");

describe("POST /v1/trials/:id/applications per member (as deployed)", () => {
  const call = deployedApp();

  it("lets exactly the limit of simultaneous applies from one member through; the rest are 429", async () => {
    await awayFromWindowEdge(perMember.period, 6_000);
    const company = await createUser("COMPANY");
    const trial = await createTrial(company, { slots: 3 });
    const [member, bystander] = await createUsers("MEMBER", 2);
    const ip = uniqueIp();
    const attempts = perMember.limit + 10;
    const answers = await Promise.all(
      Array.from({ length: attempts }, () =>
        call("POST", `/v1/trials/${trial.id}/applications`, {
          ip,
          token: member!.token,
          body: {},
        }),
      ),
    );
    const statuses = answers.map((a) => a.status);
    const limited = answers.filter((a) => a.status === 429);
    expect(limited).toHaveLength(10);
    // Applying is idempotent: the first admitted one creates (201), the rest repeat it (200).
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 200)).toHaveLength(perMember.limit - 1);
    for (const res of limited) expectRateLimited(res, perMember.period);

    // The limit is the member's, not the address's or the trial's.
    const other = await call("POST", `/v1/trials/${trial.id}/applications`, {
      ip,
      token: bystander!.token,
      body: {},
    });
    expect(other.status).toBe(201);
  });

  it("counts after the token's signature: an anonymous or forged flood is 401, never 429 or 500", async () => {
    const company = await createUser("COMPANY");
    const trial = await createTrial(company);
    const member = await createUser("MEMBER");
    const ip = uniqueIp();
    const forged = `${member.token.slice(0, -4)}AAAA`;
    for (let i = 0; i < perMember.limit + 1; i++) {
      const anonymous = await call("POST", `/v1/trials/${trial.id}/applications`, {
        ip,
        body: {},
      });
      expect([anonymous.status, errorCode(anonymous)]).toEqual([401, "UNAUTHORIZED"]);
      const bad = await call("POST", `/v1/trials/${trial.id}/applications`, {
        ip,
        token: forged,
        body: {},
      });
      expect(bad.status).toBe(401);
    }
    // The member's own budget is untouched by what others sent in their name.
    const own = await call("POST", `/v1/trials/${trial.id}/applications`, {
      ip,
      token: member.token,
      body: {},
    });
    expect(own.status).toBe(201);
  });
});
