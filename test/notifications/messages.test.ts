import { describe, expect, it } from "vitest";
import type { Outcome } from "../../core/first-come/types";
import { escapeMrkdwn, resultMessage } from "../../workers/notifications/messages";

const base = { trialTitle: "Quiet Kettle", position: null, slackId: "U123", displayName: "Ada" };

describe("result message text", () => {
  it("names the trial and the outcome in words for every outcome", () => {
    const headlines: Record<Outcome, string> = {
      WON: "You got a place",
      WAITLISTED: "You are on the waitlist",
      PROMOTED: "A place opened up",
      CANCELLED: "Your application is cancelled",
      TRIAL_CANCELLED: "The trial was cancelled",
      PENDING: "You are in the draw",
      NOT_SELECTED: "The draw did not pick you",
    };
    for (const [kind, headline] of Object.entries(headlines) as [Outcome, string][]) {
      const message = resultMessage({ ...base, kind, position: kind === "WAITLISTED" ? 2 : null });
      expect(message.text).toContain(headline);
      expect(message.text).toContain("Quiet Kettle");
      expect(JSON.stringify(message.blocks)).toContain("Quiet Kettle");
      expect(message.blocks[0]).toMatchObject({ type: "header" });
    }
  });

  it("gives the waitlist position and what happens next", () => {
    const waiting = resultMessage({ ...base, kind: "WAITLISTED", position: 4 });
    expect(waiting.text).toContain("number 4 on the waitlist");
    expect(waiting.text).toContain("If a winner cancels");
    const won = resultMessage({ ...base, kind: "WON" });
    expect(won.text).toContain("cancel your application so the next person");
  });

  it("shows a title with Slack's control characters as typed", () => {
    expect(escapeMrkdwn("<!channel> & co")).toBe("&lt;!channel&gt; &amp; co");
    const message = resultMessage({ ...base, kind: "WON", trialTitle: "<!here> Kettle" });
    expect(message.text).not.toContain("<!here>");
    expect(JSON.stringify(message.blocks)).not.toContain("<!here>");
  });
});
