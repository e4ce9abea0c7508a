import * as v from "valibot";
import { shuffleWindowFits } from "../../../core/first-come/draw";
import { APPLICATION_STATUSES } from "../../../core/vocabulary/applications";
import { JOURNEY_RULES } from "../../../core/vocabulary/journey";
import { ORDERINGS, SHUFFLE_SECONDS, TRIAL_STATUSES } from "../../../core/vocabulary/trials";
import { cursorField, defineCursor } from "../../lib/cursor";
import { Limit, oneOf, Timestamp, Uuid } from "../../validation";

const Places = (min: number) =>
  v.pipe(
    v.number("must be a number"),
    v.integer("must be a whole number"),
    v.minValue(min, `must be at least ${min}`),
    v.maxValue(100_000, "must be at most 100000"),
  );

const { confirmWithinMinutes: CONFIRM, reviewWithinDays: REVIEW } = JOURNEY_RULES;

/** null says "no confirmation deadline" (a winner still confirms to give an address). */
const ConfirmWithinMinutes = v.nullable(
  v.pipe(
    v.number("must be a number"),
    v.integer("must be a whole number"),
    v.minValue(CONFIRM.min, `must be at least ${CONFIRM.min}`),
    v.maxValue(CONFIRM.max, `must be at most ${CONFIRM.max}`),
  ),
);

const ReviewWithinDays = v.pipe(
  v.number("must be a number"),
  v.integer("must be a whole number"),
  v.minValue(REVIEW.min, `must be at least ${REVIEW.min}`),
  v.maxValue(REVIEW.max, `must be at most ${REVIEW.max}`),
);

const ShuffleSeconds = v.pipe(
  v.number("must be a number"),
  v.integer("must be a whole number"),
  v.minValue(SHUFFLE_SECONDS.min, `must be at least ${SHUFFLE_SECONDS.min}`),
  v.maxValue(SHUFFLE_SECONDS.max, `must be at most ${SHUFFLE_SECONDS.max}`),
);

export const CreateTrialBody = v.pipe(
  v.object({
    productId: Uuid,
    title: v.pipe(v.string(), v.trim(), v.minLength(1, "must not be empty"), v.maxLength(100)),
    description: v.pipe(v.string(), v.maxLength(5000)),
    slots: Places(1),
    waitlistSize: v.optional(Places(0), 0),
    opensAt: Timestamp,
    closesAt: Timestamp,
    ordering: v.optional(v.picklist(ORDERINGS, `must be one of ${ORDERINGS.join(", ")}`), "strict"),
    shuffleSeconds: v.optional(ShuffleSeconds),
    confirmWithinMinutes: v.optional(ConfirmWithinMinutes, null),
    reviewWithinDays: v.optional(ReviewWithinDays, REVIEW.default),
  }),
  v.forward(
    v.check((t) => t.opensAt < t.closesAt, "must be after opensAt"),
    ["closesAt"],
  ),
  v.forward(
    v.check(
      (t) => !(t.ordering === "shuffle-at-open" && t.shuffleSeconds === undefined),
      "is required with ordering shuffle-at-open",
    ),
    ["shuffleSeconds"],
  ),
  v.forward(
    v.check(
      (t) => t.ordering === "shuffle-at-open" || t.shuffleSeconds === undefined,
      "is allowed only with ordering shuffle-at-open",
    ),
    ["shuffleSeconds"],
  ),
  v.forward(
    v.check((t) => shuffleWindowFits(t), "the shuffle window must end by closesAt"),
    ["shuffleSeconds"],
  ),
  v.forward(
    v.check((t) => t.closesAt > Date.now(), "must be in the future"),
    ["closesAt"],
  ),
);

export const ApplyBody = v.object({
  note: v.optional(v.nullable(v.pipe(v.string(), v.trim(), v.maxLength(500))), null),
});

export const ListApplicationsQuery = v.object({
  status: v.optional(oneOf(APPLICATION_STATUSES)),
  limit: Limit,
  cursor: v.optional(v.string()),
});

/** The cursor of the applications list: the last seq shown. */
export const SeqCursor = defineCursor({ seq: cursorField.seq });

export const ListTrialsQuery = v.object({
  status: v.optional(oneOf(TRIAL_STATUSES)),
  productId: v.optional(Uuid),
  companyId: v.optional(Uuid),
  limit: Limit,
  cursor: v.optional(v.string()),
});

export const PatchTrialBody = v.pipe(
  v.object({
    title: v.optional(
      v.pipe(v.string(), v.trim(), v.minLength(1, "must not be empty"), v.maxLength(100)),
    ),
    description: v.optional(v.pipe(v.string(), v.maxLength(5000))),
    slots: v.optional(Places(1)),
    waitlistSize: v.optional(Places(0)),
    opensAt: v.optional(Timestamp),
    closesAt: v.optional(Timestamp),
    ordering: v.optional(v.picklist(ORDERINGS, `must be one of ${ORDERINGS.join(", ")}`)),
    shuffleSeconds: v.optional(ShuffleSeconds),
    confirmWithinMinutes: v.optional(ConfirmWithinMinutes),
    reviewWithinDays: v.optional(ReviewWithinDays),
  }),
  v.check(
    (p) => Object.values(p).some((x) => x !== undefined),
    "give at least one field to change",
  ),
);

/** GET /v1/trials/:id/live: a ticket (POST /v1/trials/:id/live-tickets) for one's own events. */
export const LiveQuery = v.object({
  ticket: v.optional(
    v.pipe(
      v.string(),
      v.maxLength(1024, "is not a ticket (too long)"),
      v.description("A ticket from POST /v1/trials/{id}/live-tickets: single use, 60 s."),
    ),
  ),
});

/**
 * GET /v1/trials/:id/log: `after` an entry number (the previous page's nextCursor), `limit`
 * 1..1000. Digits only, so -1, 1.5 and 1e3 are refused rather than read as numbers.
 */
export const LogQuery = v.object({
  after: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^\d{1,15}$/, "must be an entry number (0 or more)"),
      v.toNumber(),
      v.safeInteger("must be an entry number (0 or more)"),
    ),
    "0",
  ),
  limit: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^\d{1,4}$/, "must be 1..1000"),
      v.toNumber(),
      v.minValue(1, "must be 1..1000"),
      v.maxValue(1000, "must be 1..1000"),
    ),
    "100",
  ),
});
