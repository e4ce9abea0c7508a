import * as v from "valibot";
import { DisplayName, GivenPassword, NewPassword, SlackId } from "../auth/schemas";

/**
 * Same field rules as sign-up. A body that changes nothing is a 400: it is almost always a
 * client bug (a misspelt field is dropped by the schema and would otherwise "succeed").
 */
export const UpdateMeBody = v.pipe(
  v.object({
    name: v.optional(DisplayName),
    slackId: v.optional(SlackId),
  }),
  v.check(
    (b) => b.name !== undefined || b.slackId !== undefined,
    "must change at least one of name, slackId",
  ),
);

export const ChangePasswordBody = v.pipe(
  v.object({
    currentPassword: GivenPassword,
    newPassword: NewPassword,
  }),
  v.forward(
    v.partialCheck(
      [["currentPassword"], ["newPassword"]],
      (b) => b.newPassword !== b.currentPassword,
      "must differ from the current password",
    ),
    ["newPassword"],
  ),
);

/** The one-time code a Slack direct message brought (six digits). */
export const VerifySlackBody = v.object({
  code: v.pipe(v.string(), v.trim(), v.regex(/^\d{6}$/, "must be the 6-digit code from Slack")),
});
