import * as v from "valibot";
import { SIGNUP_ROLES } from "../../auth/roles";

export const Email = v.pipe(
  v.string(),
  v.trim(),
  v.maxLength(254, "must be at most 254 characters"),
  v.email("must be an e-mail address"),
);

export const SignUpBody = v.object({
  email: Email,
  password: v.pipe(
    v.string(),
    v.minLength(8, "must be at least 8 characters"),
    v.maxLength(128, "must be at most 128 characters"),
  ),
  name: v.pipe(
    v.string(),
    v.trim(),
    v.minLength(1, "must not be empty"),
    v.maxLength(50, "must be at most 50 characters"),
  ),
  role: v.optional(v.picklist(SIGNUP_ROLES, "must be MEMBER or COMPANY"), "MEMBER"),
  slackId: v.optional(
    v.nullable(v.pipe(v.string(), v.regex(/^[UW][A-Z0-9]{2,20}$/, "must be a Slack member id"))),
  ),
});

export const LogInBody = v.object({
  email: Email,
  password: v.pipe(v.string(), v.minLength(1, "must not be empty"), v.maxLength(128)),
});
