import { describe, expect, it } from "vitest";
import { createUser } from "../support/workerd/fixtures";
import { png } from "../support/workerd/images";
import {
  awayFromWindowEdge,
  deployedApp,
  expectRateLimited,
  standard,
  uniqueIp,
} from "../support/workerd/limited-app";

const perUser = standard("uploadPerUser");

describe("POST /v1/images per user (as deployed)", () => {
  const call = deployedApp();
  const upload = (token: string | undefined, ip: string, contentType = "image/png") =>
    call("POST", "/v1/images", { ip, token, raw: png(), contentType });

  it("refuses the upload past the limit for one user, from any address; another company uploads", async () => {
    await awayFromWindowEdge(perUser.period, 20_000);
    const company = await createUser("COMPANY");
    for (let i = 0; i < perUser.limit; i++) {
      expect((await upload(company.token, uniqueIp())).status).toBe(201);
    }
    expectRateLimited(await upload(company.token, uniqueIp()), perUser.period);

    const other = await createUser("COMPANY");
    expect((await upload(other.token, uniqueIp())).status).toBe(201);
  });

  it("counts an upload whatever its bytes (receiving them is the cost), but not before auth and role", async () => {
    await awayFromWindowEdge(perUser.period, 20_000);
    const company = await createUser("COMPANY");
    const member = await createUser("MEMBER");
    const ip = uniqueIp();
    for (let i = 0; i < perUser.limit + 1; i++) {
      expect((await upload(undefined, ip)).status).toBe(401);
      expect((await upload(member.token, ip)).status).toBe(403);
    }
    for (let i = 0; i < perUser.limit; i++) {
      expect((await upload(company.token, ip, "text/plain")).status).toBe(415);
    }
    expectRateLimited(await upload(company.token, ip), perUser.period);
  });
});
