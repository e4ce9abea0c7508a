import type { NotifierMessage } from "../../core/ports/notifier";
import { JOURNEY_RULES, type JourneyMessage } from "../../core/vocabulary/journey";
import { escapeMrkdwn, slackTime } from "./messages";

/** The journey's facts a message tells, as they are when it is sent. */
export interface JourneyMessageInput {
  kind: JourneyMessage;
  trialTitle: string;
  slackId: string | null;
  displayName: string;
  /** Null only if the journey's row is gone (it never is: kept for the strike's record). */
  journey: { carrier: string; trackingNumber: string; reviewDueAt: Date } | null;
}

const HEADLINES: Record<JourneyMessage, string> = {
  SHIPPED: "Your product is on its way",
  REVIEW_DUE_IN_3_DAYS: "Your review is due in 3 days",
  REVIEW_DUE_IN_1_DAY: "Your review is due tomorrow",
  STRIKE_RECORDED: "Review deadline missed: a strike was recorded",
};

function body(input: JourneyMessageInput): string {
  const j = input.journey;
  const due = j ? slackTime(j.reviewDueAt) : "the deadline";
  switch (input.kind) {
    case "SHIPPED":
      return `${j ? `Carrier: ${escapeMrkdwn(j.carrier)}, tracking number ${escapeMrkdwn(j.trackingNumber)}. ` : ""}Once it arrives, try it and write your review by ${due}. If you need more time, you can extend the deadline once by ${JOURNEY_RULES.extensionDays} days.`;
    case "REVIEW_DUE_IN_3_DAYS":
    case "REVIEW_DUE_IN_1_DAY":
      return `Write your review by ${due}. A missed deadline is a strike; ${JOURNEY_RULES.strikesToRestrict} strikes within ${JOURNEY_RULES.strikeWindowDays} days pause applying for ${JOURNEY_RULES.restrictionDays} days.`;
    case "STRIKE_RECORDED":
      return `No review arrived by ${due}. ${JOURNEY_RULES.strikesToRestrict} strikes within ${JOURNEY_RULES.strikeWindowDays} days pause applying for ${JOURNEY_RULES.restrictionDays} days. If something kept you from reviewing, you can appeal the strike once.`;
  }
}

/**
 * The Block Kit message for one step of the winner's journey: the trial, what happened, and
 * what the member can do next, with times shown in the reader's own time zone. Pure.
 */
export function journeyMessage(input: JourneyMessageInput): NotifierMessage {
  const title = escapeMrkdwn(input.trialTitle);
  const headline = HEADLINES[input.kind];
  const next = body(input);
  return {
    slackId: input.slackId,
    displayName: input.displayName,
    text: `${headline}: ${title}. ${next}`,
    blocks: [
      { type: "header", text: { type: "plain_text", text: headline } },
      { type: "section", text: { type: "mrkdwn", text: `*Trial:* ${title}` } },
      { type: "section", text: { type: "mrkdwn", text: next } },
    ],
  };
}
