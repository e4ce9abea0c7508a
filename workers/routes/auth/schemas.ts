import * as v from "valibot";
import { SIGNUP_ROLES } from "../../../core/vocabulary/roles";
import { oneOf } from "../../validation";

const Email = v.pipe(
  v.string(),
  v.trim(),
  v.maxLength(254, "must be at most 254 characters"),
  v.email("must be an e-mail address"),
);

/** A password being set: the length rule of sign-up and of a password change. */
export const NewPassword = v.pipe(
  v.string(),
  v.minLength(8, "must be at least 8 characters"),
  v.maxLength(128, "must be at most 128 characters"),
);

/** A password being checked: any stored password is 1..128 characters. */
export const GivenPassword = v.pipe(
  v.string(),
  v.minLength(1, "must not be empty"),
  v.maxLength(128, "must be at most 128 characters"),
);

export const DisplayName = v.pipe(
  v.string(),
  v.trim(),
  v.minLength(1, "must not be empty"),
  v.maxLength(50, "must be at most 50 characters"),
);

/** A Slack member id (U… or W…); null clears it. */
export const SlackId = v.nullable(
  v.pipe(v.string(), v.regex(/^[UW][A-Z0-9]{2,20}$/, "must be a Slack member id")),
);

export const SignUpBody = v.object({
  email: Email,
  password: NewPassword,
  name: DisplayName,
  role: v.optional(oneOf(SIGNUP_ROLES), "MEMBER"),
  slackId: v.optional(SlackId),
});

export const LogInBody = v.object({
  email: Email,
  password: GivenPassword,
});

/**
 * Refresh tokens are 43 base64url characters; the bound keeps junk from being hashed. It
 * stays above the longest access token (about 285 characters with `restrictedUntil`,
 * docs/decisions/0036), so an access token sent here by mistake is a 401, not a 400.
 */
export const RefreshTokenBody = v.object({
  refreshToken: v.pipe(
    v.string(),
    v.minLength(1, "must not be empty"),
    v.maxLength(512, "must be at most 512 characters"),
  ),
});
