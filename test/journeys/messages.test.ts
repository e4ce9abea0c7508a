import { describe, expect, it } from "vitest";
import { JOURNEY_MESSAGES } from "../../core/vocabulary/journey";
import { journeyMessage } from "../../workers/notifications/journey-messages";
import { resultMessage } from "../../workers/notifications/messages";

const base = { trialTitle: "Quiet Kettle", slackId: "U123", displayName: "Ada" };
const confirmBy = new Date("2026-12-01T09:30:00Z");

describe("result messages tell the journey's facts", () => {
  it("WON and PROMOTED under a confirmation window: confirm your address by that time", () => {
    for (const kind of ["WON", "PROMOTED"] as const) {
      const text = resultMessage({ ...base, kind, position: null, confirmBy }).text;
      expect(text).toContain("Confirm your address by <!date^1796117400^");
      expect(text).toContain("|2026-12-01 09:30 UTC>");
    }
    const noWindow = resultMessage({ ...base, kind: "WON", position: null, confirmBy: null });
    expect(noWindow.text).not.toContain("Confirm your address by");
  });

  it("a place lost for not confirming in time says so; another cancellation does not", () => {
    const lost = resultMessage({
      ...base,
      kind: "CANCELLED",
      position: null,
      cancelledReason: "NOT_CONFIRMED",
    }).text;
    expect(lost).toContain("did not confirm your address in time");
    const withdrawn = resultMessage({
      ...base,
      kind: "CANCELLED",
      position: null,
      cancelledReason: "WITHDRAWN",
    }).text;
    expect(withdrawn).not.toContain("confirm");
  });
});

describe("journey messages", () => {
  const journey = {
    carrier: "DHL <Express>",
    trackingNumber: "JJD-1",
    reviewDueAt: new Date("2026-12-15T12:00:00Z"),
  };

  it("each kind names the trial, the deadline and what to do", () => {
    for (const kind of JOURNEY_MESSAGES) {
      const message = journeyMessage({ ...base, kind, journey });
      expect(message.text).toContain("Quiet Kettle");
      expect(message.text).toContain("2026-12-15 12:00 UTC");
      expect(message.blocks[0]).toMatchObject({ type: "header" });
    }
    const shipped = journeyMessage({ ...base, kind: "SHIPPED", journey }).text;
    expect(shipped).toContain("DHL &lt;Express&gt;");
    expect(shipped).toContain("JJD-1");
    expect(shipped).toContain("extend the deadline once by 7 days");
    expect(journeyMessage({ ...base, kind: "STRIKE_RECORDED", journey }).text).toContain("appeal");
  });
});
