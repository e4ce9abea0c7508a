import type { Outcome } from "../../core/first-come/types";
import type { NotifierMessage } from "../../core/ports/notifier";
import type { CancelledReason } from "../../core/vocabulary/applications";

export interface ResultMessageInput {
  kind: Outcome;
  trialTitle: string;
  /** 1-based waitlist place; only meaningful for WAITLISTED. */
  position: number | null;
  slackId: string | null;
  displayName: string;
  /** WON / PROMOTED under a confirmation window: when the place is lost unless confirmed. */
  confirmBy?: Date | null;
  /** Why a CANCELLED application was cancelled (NOT_CONFIRMED: the window passed). */
  cancelledReason?: CancelledReason | null;
}

const HEADLINES: Record<Outcome, string> = {
  WON: "You got a place",
  WAITLISTED: "You are on the waitlist",
  PROMOTED: "A place opened up: it is yours",
  CANCELLED: "Your application is cancelled",
  TRIAL_CANCELLED: "The trial was cancelled",
  PENDING: "You are in the draw",
  NOT_SELECTED: "The draw did not pick you",
};

function nextSteps(input: ResultMessageInput): string {
  const { kind, position } = input;
  switch (kind) {
    case "WON":
    case "PROMOTED": {
      const giveUp =
        "If you can no longer take part, cancel your application so the next person on the waitlist gets your place.";
      if (input.confirmBy) {
        return `Confirm your address by ${slackTime(input.confirmBy)}, or the place goes to the next person waiting. ${giveUp}`;
      }
      return `Confirm your shipping address so the company can send the product. ${giveUp}`;
    }
    case "WAITLISTED":
      return `You are number ${position ?? "?"} on the waitlist. If a winner cancels, the first person waiting gets the place and we will message you again.`;
    case "CANCELLED":
      if (input.cancelledReason === "NOT_CONFIRMED") {
        return "You lost your place because you did not confirm your address in time; it went to the next person waiting. There is nothing more to do.";
      }
      return "Your place has been released. There is nothing more to do.";
    case "TRIAL_CANCELLED":
      return "The company cancelled this trial, so no places will be given. There is nothing more to do.";
    case "PENDING":
      return "Places in this trial are drawn at random among everyone who applied in time; we will message you with your result.";
    case "NOT_SELECTED":
      return "Every place and waitlist place went to others in the draw. There is nothing more to do.";
  }
}

/** Slack's mrkdwn gives &, < and > meaning: a trial title must show as typed. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/**
 * A time as Slack shows it in each reader's own time zone, with UTC as the fallback where a
 * client cannot (https://api.slack.com/reference/surfaces/formatting#date-formatting).
 */
export function slackTime(at: Date): string {
  const unix = Math.floor(at.getTime() / 1000);
  const utc = `${at.toISOString().slice(0, 16).replace("T", " ")} UTC`;
  return `<!date^${unix}^{date_short_pretty} at {time}|${utc}>`;
}

/**
 * The Block Kit message for one outcome: the trial's title, the outcome in words, the
 * waitlist place when waiting, and what happens next. Pure, so it is tested on its own.
 * The mention is the adapter's business (a DM needs none; a webhook post does).
 */
export function resultMessage(input: ResultMessageInput): NotifierMessage {
  const title = escapeMrkdwn(input.trialTitle);
  const headline = HEADLINES[input.kind];
  const next = nextSteps(input);
  const text = `${headline}: ${title}. ${next}`;
  return {
    slackId: input.slackId,
    displayName: input.displayName,
    text,
    blocks: [
      { type: "header", text: { type: "plain_text", text: headline } },
      { type: "section", text: { type: "mrkdwn", text: `*Trial:* ${title}` } },
      { type: "section", text: { type: "mrkdwn", text: next } },
    ],
  };
}
