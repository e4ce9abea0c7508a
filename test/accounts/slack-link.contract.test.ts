import { describe, expect, it } from "vitest";
import { api, errorCode } from "../support/contract/client";
import { createTrial, createUser, sql, type TestUser, waitFor } from "../support/contract/fixtures";
import {
  freshSlackId,
  linkSlackId,
  slackCode,
  slackCodes,
  slackRecord,
} from "../support/contract/slack";

// Issue 13, finding 15: a Slack id is linked only once its owner proves it. Setting one sends
// a one-time code by Slack DM; the member types it back (POST /v1/users/me/slack/verify).
// Until then the id is pending and no result message goes to it.

const setSlackId = (member: TestUser, slackId: string | null) =>
  api("PATCH", "/v1/users/me", { token: member.token, body: { slackId } });
const verify = (member: TestUser, code: string) =>
  api("POST", "/v1/users/me/slack/verify", { token: member.token, body: { code } });
const me = async (member: TestUser) =>
  (await api("GET", "/v1/users/me", { token: member.token })).body;

/** A code that is not `code`: the next six digits round. */
const another = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, "0");

async function applyAndWaitForNotification(member: TestUser) {
  const company = await createUser("COMPANY");
  const trial = await createTrial(company, { slots: 1 });
  const res = await api("POST", `/v1/trials/${trial.id}/applications`, {
    token: member.token,
    body: {},
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return waitFor(
    async () => {
      const list = await api("GET", "/v1/me/notifications", { token: member.token });
      const [n] = list.body.items as { kind: string; status: string }[];
      return n && n.status !== "PENDING" ? n : undefined;
    },
    { what: "the WON notification settled" },
  );
}

describe("linking a Slack id", () => {
  it("setting an id does not link it: a code goes to it by DM, and the id shows as pending", async () => {
    const member = await createUser("MEMBER");
    const slackId = freshSlackId();
    const set = await setSlackId(member, slackId);
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ id: member.id, slackId: null, pendingSlackId: slackId });
    expect(await me(member)).toMatchObject({ slackId: null, pendingSlackId: slackId });
    expect(await slackCode(slackId)).toMatch(/^\d{6}$/);
    // Stored as an HMAC, never as the code itself.
    const [row] = await sql("SELECT slack_id, slack_code_hash FROM users WHERE id = $1", [
      member.id,
    ]);
    expect(row.slack_id).toBeNull();
    expect(row.slack_code_hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("no result message ever goes to a pending id: the outcome is SKIPPED and Slack got only the code", async () => {
    const member = await createUser("MEMBER");
    const slackId = freshSlackId();
    expect((await setSlackId(member, slackId)).status).toBe(200);
    await slackCode(slackId);
    const notification = await applyAndWaitForNotification(member);
    expect(notification).toMatchObject({ kind: "WON", status: "SKIPPED" });
    const { messages, calls } = await slackRecord(slackId);
    expect(calls).toBe(1);
    expect(messages.map((m) => m.text)).toEqual([expect.stringMatching(/code is \d{6}/)]);
  });

  it("a wrong code is refused with the tries left, and after five the right one no longer works", async () => {
    const member = await createUser("MEMBER");
    const slackId = freshSlackId();
    await setSlackId(member, slackId);
    const code = await slackCode(slackId);
    for (let left = 4; left >= 0; left--) {
      const wrong = await verify(member, another(code));
      expect([wrong.status, errorCode(wrong)]).toEqual([422, "WRONG_SLACK_CODE"]);
      expect(wrong.body.error.details).toEqual([
        { path: "code", message: expect.stringContaining(`${left} `) },
      ]);
    }
    const late = await verify(member, code);
    expect([late.status, errorCode(late)]).toEqual([409, "SLACK_CODE_EXPIRED"]);
    expect(await me(member)).toMatchObject({ slackId: null, pendingSlackId: slackId });

    // Setting the id again sends a new code, which works.
    expect((await setSlackId(member, slackId)).status).toBe(200);
    const fresh = await slackCode(slackId, 2);
    const ok = await verify(member, fresh);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ slackId, pendingSlackId: null });
  });

  it("parallel guesses cannot outrun the five tries", async () => {
    const member = await createUser("MEMBER");
    const slackId = freshSlackId();
    await setSlackId(member, slackId);
    const code = await slackCode(slackId);
    const guesses = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        verify(member, String((Number(code) + 1 + i) % 1_000_000).padStart(6, "0")),
      ),
    );
    const codes = guesses.map((g) => errorCode(g)).sort();
    expect(codes.filter((c) => c === "WRONG_SLACK_CODE")).toHaveLength(5);
    expect(codes.filter((c) => c === "SLACK_CODE_EXPIRED")).toHaveLength(3);
  });

  it("the right code links the id, and later result messages go there", async () => {
    const member = await createUser("MEMBER");
    const slackId = await linkSlackId(member);
    expect(await me(member)).toMatchObject({ slackId, pendingSlackId: null });
    const notification = await applyAndWaitForNotification(member);
    expect(notification).toMatchObject({ kind: "WON", status: "SENT" });
    const results = (await slackRecord(slackId)).messages.filter((m) => !/code is/.test(m.text));
    expect(results).toHaveLength(1);
    expect(results[0]!.text).toContain("You got a place");
  });

  it("a new id stays pending while the linked one keeps the messages; null unlinks both", async () => {
    const member = await createUser("MEMBER");
    const linked = await linkSlackId(member);
    const other = freshSlackId();
    const set = await setSlackId(member, other);
    expect(set.body).toMatchObject({ slackId: linked, pendingSlackId: other });
    await slackCode(other);
    // The linked id again: nothing to prove, no code sent.
    const same = await setSlackId(member, linked);
    expect(same.body).toMatchObject({ slackId: linked });
    expect(await slackCodes(linked)).toHaveLength(1);

    const cleared = await setSlackId(member, null);
    expect(cleared.body).toMatchObject({ slackId: null, pendingSlackId: null });
    const none = await verify(member, "123456");
    expect([none.status, errorCode(none)]).toEqual([409, "NO_SLACK_CODE"]);
  });

  it("a code proves the id for its own account only, and an expired one is refused", async () => {
    const [owner, other] = await Promise.all([createUser("MEMBER"), createUser("MEMBER")]);
    const slackId = freshSlackId();
    await setSlackId(owner, slackId);
    const ownerCode = await slackCode(slackId, 1);
    // Someone else names the same id: its owner gets a second code, for that other account.
    await setSlackId(other, slackId);
    await slackCode(slackId, 2);
    const stolen = await verify(other, ownerCode);
    expect([stolen.status, errorCode(stolen)]).toEqual([422, "WRONG_SLACK_CODE"]);

    await sql(
      "UPDATE users SET slack_code_expires_at = now() - interval '1 second' WHERE id = $1",
      [owner.id],
    );
    const expired = await verify(owner, ownerCode);
    expect([expired.status, errorCode(expired)]).toEqual([409, "SLACK_CODE_EXPIRED"]);
    expect(await me(owner)).toMatchObject({ slackId: null, pendingSlackId: slackId });
  });

  it("sign-up with a slackId sends it a code and links nothing", async () => {
    const slackId = freshSlackId();
    const email = `slack-${crypto.randomUUID()}@tryit.test`;
    const res = await api("POST", "/v1/auth/signup", {
      body: { email, password: "a long enough password", name: "Ada", slackId },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ slackId: null, pendingSlackId: slackId });
    expect(await slackCode(slackId)).toMatch(/^\d{6}$/);
  });

  it("refuses a malformed code with 400 and the field named", async () => {
    const member = await createUser("MEMBER");
    for (const code of ["12345", "1234567", "abcdef", 123456]) {
      const res = await api("POST", "/v1/users/me/slack/verify", {
        token: member.token,
        body: { code },
      });
      expect([res.status, errorCode(res)]).toEqual([400, "VALIDATION_FAILED"]);
      expect(res.body.error.details).toContainEqual(expect.objectContaining({ path: "code" }));
    }
  });
});
