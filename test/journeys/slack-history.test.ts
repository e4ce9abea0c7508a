import { describe, expect, it } from "vitest";
import type { LookupResult, Notifier, NotifierMessage } from "../../core/ports/notifier";
import { findNotificationMessage } from "../../workers/adapters/slack/history";
import { Pacer } from "../../workers/notifications/pacing";
import { type NotificationRow, sendResultMessage } from "../../workers/notifications/send";

const ID = "7d0c3c39-7f1e-4c43-9d0c-5d6f0a4b2f10";
const since = new Date("2026-11-30T12:00:00Z");

/** A Slack that answers each method from a script, recording what was asked. */
function scriptedSlack(answers: Record<string, (url: URL) => Response>) {
  const asked: URL[] = [];
  const fetcher = (async (input: RequestInfo | URL) => {
    const url = new URL(String(input));
    asked.push(url);
    const method = url.pathname.split("/").pop() ?? "";
    const answer = answers[method];
    if (!answer) throw new TypeError("network down");
    return answer(url);
  }) as typeof fetch;
  return { fetcher, asked };
}

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
const opened = () => json({ ok: true, channel: { id: "D0001" } });
const carrying = (notificationId: string) => ({
  type: "message",
  ts: "1764504000.000100",
  metadata: { event_type: "try_it_notification", event_payload: { notificationId } },
});

const find = (fetcher: typeof fetch) =>
  findNotificationMessage(fetcher, "https://slack.test/api", "xoxb-t", "U0001", ID, since);

describe("finding a sent notification in the member's DM history", () => {
  it("pages through the history from the row's creation (less the clock's slack) until the metadata matches", async () => {
    const slack = scriptedSlack({
      "conversations.open": opened,
      "conversations.history": (url) =>
        url.searchParams.get("cursor")
          ? json({ ok: true, messages: [carrying(ID)], has_more: false })
          : json({
              ok: true,
              messages: [carrying(crypto.randomUUID()), { type: "message", ts: "1.0" }],
              has_more: true,
              response_metadata: { next_cursor: "page2" },
            }),
    });
    expect(await find(slack.fetcher)).toEqual({ kind: "found" });
    const history = slack.asked.filter((u) => u.pathname.endsWith("conversations.history"));
    expect(history).toHaveLength(2);
    expect(history[0]?.searchParams.get("channel")).toBe("D0001");
    expect(history[0]?.searchParams.get("include_all_metadata")).toBe("true");
    expect(Number(history[0]?.searchParams.get("oldest"))).toBe(since.getTime() / 1000 - 300);
  });

  it("absent when the history ends without it; unavailable without the scope; transient on a 429 or the network", async () => {
    const none = scriptedSlack({
      "conversations.open": opened,
      "conversations.history": () => json({ ok: true, messages: [], has_more: false }),
    });
    expect(await find(none.fetcher)).toEqual({ kind: "absent" });
    const noScope = scriptedSlack({
      "conversations.open": opened,
      "conversations.history": () => json({ ok: false, error: "missing_scope" }),
    });
    expect(await find(noScope.fetcher)).toMatchObject({ kind: "unavailable" });
    const limited = scriptedSlack({
      "conversations.open": opened,
      "conversations.history": () => json({ ok: false, error: "ratelimited" }, 429),
    });
    expect(await find(limited.fetcher)).toMatchObject({ kind: "transient" });
    expect(await find(scriptedSlack({}).fetcher)).toMatchObject({ kind: "transient" });
  });
});

describe("the sender, for a row whose last attempt has no recorded outcome", () => {
  const row = {
    id: ID,
    kind: "REVIEW_DUE_IN_1_DAY",
    status: "PENDING",
    slackId: "U0001",
    userName: "Ada",
    trialTitle: "Quiet Kettle",
    applicationStatus: "WON",
    position: null,
    confirmBy: null,
    confirmedAt: new Date(),
    cancelledReason: null,
    carrier: "DHL",
    trackingNumber: "JJD-1",
    reviewDueAt: new Date(Date.now() + 43_200_000),
    attempts: 1,
    lastError: null,
    createdAt: since,
  } satisfies NotificationRow;

  function notifier(lookup: LookupResult) {
    const sent: NotifierMessage[] = [];
    const n: Notifier = {
      channelFor: () => "dm",
      send: async (m) => {
        sent.push(m);
        return { kind: "sent", channel: "dm" };
      },
      findSent: async () => lookup,
    };
    return { n, sent };
  }

  it("found: answers sent without sending; a failed look-up retries without sending", async () => {
    const found = notifier({ kind: "found" });
    expect(await sendResultMessage(row, { notifier: found.n, pacer: new Pacer() })).toEqual({
      kind: "sent",
      channel: "dm",
    });
    expect(found.sent).toEqual([]);
    const failed = notifier({ kind: "transient", error: "conversations.history: http_503" });
    const result = await sendResultMessage(row, { notifier: failed.n, pacer: new Pacer() });
    expect(result).toMatchObject({ kind: "transient", error: expect.stringMatching(/^lookup:/) });
    expect(failed.sent).toEqual([]);
  });

  it("absent or unavailable: sends, carrying the notification id; a first attempt never looks", async () => {
    for (const lookup of [
      { kind: "absent" },
      { kind: "unavailable", reason: "missing_scope" },
    ] as const) {
      const slack = notifier(lookup);
      await sendResultMessage(row, { notifier: slack.n, pacer: new Pacer() });
      expect(slack.sent.map((m) => m.notificationId)).toEqual([ID]);
    }
    let looked = false;
    const first = notifier({ kind: "found" });
    first.n.findSent = async () => {
      looked = true;
      return { kind: "found" };
    };
    await sendResultMessage({ ...row, attempts: 0 }, { notifier: first.n, pacer: new Pacer() });
    expect(looked).toBe(false);
    expect(first.sent).toHaveLength(1);
  });
});
