import { vValidator } from "@hono/valibot-validator";
import type { ValidationTargets } from "hono";
import * as v from "valibot";
import { AppError, type ErrorDetail } from "./errors";
import { parseTimestamp, RFC3339, TIMESTAMP_MESSAGES } from "./lib/timestamp";

/** What a `validate(...)` middleware checks: read by the OpenAPI generator. */
export interface ValidatorInfo {
  target: keyof ValidationTargets;
  schema: v.GenericSchema;
}

// Keyed by the middleware itself, so the routes' own schemas document them: no second copy
// of any schema exists to drift from what is enforced.
const validators = new WeakMap<object, ValidatorInfo>();

/**
 * valibot behind one hook: a failed validation answers in the API's error shape with a
 * detail per problem (`path` is the dotted field path), never the validator's raw output.
 */
export function validate<T extends keyof ValidationTargets, S extends v.GenericSchema>(
  target: T,
  schema: S,
) {
  const middleware = vValidator(target, schema, (result) => {
    if (!result.success) {
      throw new AppError(
        "VALIDATION_FAILED",
        `The request ${target === "json" ? "body" : target} is invalid.`,
        toDetails(result.issues),
      );
    }
  });
  validators.set(middleware, { target, schema });
  return middleware;
}

/** The target and schema of a middleware made by `validate`, or undefined for any other. */
export function validatorOf(handler: unknown): ValidatorInfo | undefined {
  return typeof handler === "function" ? validators.get(handler) : undefined;
}

function toDetails(issues: readonly v.BaseIssue<unknown>[]): ErrorDetail[] {
  return issues.map((issue) => ({
    path: v.getDotPath(issue) ?? "",
    message: issue.message,
  }));
}

// Reusable field schemas.
/**
 * A value of a closed list (declared once, in core/vocabulary), refused as
 * "must be A, B or C" so the message never drifts from the list.
 */
export function oneOf<const T extends readonly [string, ...string[]]>(list: T) {
  const words = list.length > 1 ? `${list.slice(0, -1).join(", ")} or ${list.at(-1)}` : list[0];
  return v.picklist(list, `must be ${words}`);
}

/** Matched in any case and used in lower case: one trial, one gate, whatever the spelling. */
export const Uuid = v.pipe(
  v.string(),
  v.uuid("must be a UUID"),
  v.transform((s) => s.toLowerCase()),
);
export const IdParam = v.object({ id: Uuid });

/**
 * Every timestamp the API takes, turned into epoch milliseconds (lib/timestamp.ts): RFC 3339
 * with `Z` or `±hh:mm`, a real calendar date, between 2000-01-01 and 2100-01-01.
 */
export const Timestamp = v.pipe(
  v.string(),
  v.description(
    "RFC 3339 with Z or a ±hh:mm offset, a real calendar date, between 2000-01-01T00:00:00Z and 2100-01-01T00:00:00Z",
  ),
  v.regex(RFC3339, TIMESTAMP_MESSAGES.format),
  v.rawTransform(({ dataset, addIssue, NEVER }) => {
    const parsed = parseTimestamp(dataset.value);
    if (parsed.ok) return parsed.ms;
    addIssue({ message: TIMESTAMP_MESSAGES[parsed.problem] });
    return NEVER;
  }),
);

export const Limit = v.optional(
  v.pipe(
    v.string(),
    v.regex(/^\d{1,3}$/, "must be 1..100"),
    v.toNumber(),
    v.minValue(1),
    v.maxValue(100),
  ),
  "20",
);
