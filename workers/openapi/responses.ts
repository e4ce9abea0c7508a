import * as v from "valibot";
import { APPLICATION_STATUSES, CANCELLED_REASONS } from "../../core/vocabulary/applications";
import { ERROR_CODES } from "../../core/vocabulary/error-codes";
import { LOG_KINDS } from "../../core/vocabulary/fill-log";
import { IMAGE_TYPES } from "../../core/vocabulary/images";
import {
  APPEAL_STATUSES,
  PERSONAL_DATA_READS,
  SHIPMENT_ROW_REFUSALS,
} from "../../core/vocabulary/journey";
import { NOTIFICATION_KINDS, NOTIFICATION_STATUSES } from "../../core/vocabulary/notifications";
import { ROLES } from "../../core/vocabulary/roles";
import { CLOSED_REASONS, ORDERINGS, TRIAL_STATUSES } from "../../core/vocabulary/trials";

/**
 * The response bodies of the API as valibot schemas: the OpenAPI document is generated from
 * them, and test/ops/openapi.test.ts parses real responses with them. Objects are strict, so
 * a field a presenter adds or drops without a change here fails that test instead of
 * drifting silently from the document.
 */

const Id = v.pipe(v.string(), v.uuid());
const Instant = v.pipe(v.string(), v.isoTimestamp());
const Count = v.pipe(v.number(), v.integer(), v.minValue(0));

/** A list page (API.md "Lists"): `nextCursor` is null on the last page. */
function page<T extends v.GenericSchema>(item: T) {
  return v.strictObject({ items: v.array(item), nextCursor: v.nullable(v.string()) });
}

export const ErrorBody = v.strictObject({
  error: v.strictObject({
    code: v.picklist(ERROR_CODES),
    message: v.string(),
    details: v.array(v.strictObject({ path: v.string(), message: v.string() })),
  }),
});

export const User = v.strictObject({
  id: Id,
  email: v.string(),
  name: v.string(),
  role: v.picklist(ROLES),
  slackId: v.nullable(v.string()),
  pendingSlackId: v.nullable(v.string()),
  createdAt: Instant,
});

/** A member's record after the win (API.md "After the win"; docs/decisions/0036). */
const Reliability = v.strictObject({
  completed: v.pipe(Count, v.description("Journeys ended by a review written in time")),
  missed: v.pipe(Count, v.description("Review deadlines that passed without a review")),
  strikes: v.pipe(
    Count,
    v.description("Strikes that count now: not lifted by an appeal, recorded in the last 180 days"),
  ),
  restrictedUntil: v.pipe(
    v.nullable(Instant),
    v.description(
      "Until when the member may not apply (two strikes within 180 days restrict for 30 days " +
        "from the second); null when they may",
    ),
  ),
});

/** GET /v1/users/me: the caller's User, with its reliability for a MEMBER (null otherwise). */
export const OwnUser = v.strictObject({
  ...User.entries,
  reliability: v.nullable(Reliability),
});

export const TokenPair = v.strictObject({
  accessToken: v.string(),
  refreshToken: v.string(),
  tokenType: v.literal("Bearer"),
  /** Seconds until the access token expires. */
  expiresIn: Count,
});

export const ImageUpload = v.strictObject({
  id: Id,
  url: v.string(),
  contentType: v.picklist(IMAGE_TYPES),
  size: Count,
});

export const Product = v.strictObject({
  id: Id,
  companyId: Id,
  name: v.string(),
  description: v.string(),
  category: v.nullable(v.string()),
  images: v.array(v.strictObject({ id: Id, url: v.string() })),
  createdAt: Instant,
  updatedAt: Instant,
});

export const Trial = v.strictObject({
  id: Id,
  productId: Id,
  companyId: Id,
  title: v.string(),
  description: v.string(),
  slots: Count,
  waitlistSize: Count,
  opensAt: Instant,
  closesAt: Instant,
  ordering: v.picklist(ORDERINGS),
  shuffleSeconds: v.nullable(Count),
  confirmWithinMinutes: v.pipe(
    v.nullable(Count),
    v.description("Minutes a winner has to confirm an address; null: no deadline"),
  ),
  reviewWithinDays: v.pipe(Count, v.description("Days a winner has to review, from the shipment")),
  seedCommitment: v.nullable(v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/))),
  seed: v.nullable(v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/))),
  status: v.picklist(TRIAL_STATUSES),
  closedReason: v.nullable(v.picklist(CLOSED_REASONS)),
  won: Count,
  waitlisted: Count,
  remaining: Count,
  applicants: Count,
  createdAt: Instant,
});

export const Application = v.strictObject({
  id: Id,
  trialId: Id,
  userId: Id,
  seq: Count,
  status: v.picklist(APPLICATION_STATUSES),
  position: v.nullable(Count),
  note: v.nullable(v.string()),
  appliedAt: Instant,
  decidedAt: Instant,
  confirmBy: v.pipe(
    v.nullable(Instant),
    v.description(
      "While WON under the trial's confirmation window: the deadline to confirm (POST …/applications/me/confirm); past it the place goes to the waitlist",
    ),
  ),
  confirmedAt: v.pipe(v.nullable(Instant), v.description("When the winner confirmed an address")),
  cancelledReason: v.pipe(
    v.nullable(v.picklist(CANCELLED_REASONS)),
    v.description("Why a CANCELLED application was cancelled; null otherwise"),
  ),
  shipment: v.pipe(
    v.nullable(
      v.strictObject({ carrier: v.string(), trackingNumber: v.string(), shippedAt: Instant }),
    ),
    v.description("The winner's parcel, once the company recorded it; null until then"),
  ),
  reviewDueAt: v.pipe(
    v.nullable(Instant),
    v.description(
      "When the winner's review is due (shippedAt + reviewWithinDays); null until shipped",
    ),
  ),
});

/** An application as its trial's company sees it: with its applicant's reliability. */
const Applicant = v.strictObject({
  ...Application.entries,
  reliability: Reliability,
});

/** A missed review deadline and its one appeal (GET /v1/me/strikes, /v1/admin/appeals). */
export const Strike = v.strictObject({
  id: Id,
  userId: Id,
  trialId: Id,
  applicationId: Id,
  at: Instant,
  countsUntil: v.pipe(
    Instant,
    v.description("at + 180 days: until then the strike counts, unless an appeal lifts it"),
  ),
  liftedAt: v.pipe(v.nullable(Instant), v.description("When a granted appeal lifted it")),
  appeal: v.nullable(
    v.strictObject({
      status: v.picklist(APPEAL_STATUSES),
      reason: v.string(),
      appealedAt: Instant,
      decidedAt: v.nullable(Instant),
    }),
  ),
});

/** A confirmed winner's shipment and review deadline (the shipment and extend routes). */
export const Journey = v.strictObject({
  applicationId: Id,
  carrier: v.string(),
  trackingNumber: v.string(),
  shippedAt: Instant,
  reviewDueAt: v.pipe(Instant, v.description("shippedAt + reviewWithinDays, + 7 once extended")),
  extendedAt: v.nullable(Instant),
  completedAt: v.pipe(v.nullable(Instant), v.description("A review written by reviewDueAt")),
  missedAt: v.pipe(v.nullable(Instant), v.description("The deadline passed: a strike")),
});

/** POST /v1/trials/:id/shipments: how many rows were written, and each refused row. */
export const ShipmentUploadResult = v.strictObject({
  accepted: Count,
  refused: v.array(
    v.strictObject({
      row: v.pipe(
        v.number(),
        v.integer(),
        v.minValue(1),
        v.description("The data row, from 1 (a CSV header is not a row)"),
      ),
      code: v.picklist(SHIPMENT_ROW_REFUSALS),
      message: v.string(),
    }),
  ),
});

/** A compact JWS (EdDSA, `kid` in its header): three base64url parts joined by dots. */
const CompactJws = v.pipe(
  v.string(),
  v.regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/),
  v.description("A compact JWS (RFC 7515): EdDSA over Ed25519, with `kid` in its header"),
);
const Sha256Hex = v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/));
const EpochMs = v.pipe(v.number(), v.integer(), v.minValue(0));

/**
 * The member's own application, as the apply answer gives it (201 and 200): with the receipt
 * of its latest entry in the trial's fill log, null only for an application decided before
 * the trial kept a log.
 */
export const OwnApplication = v.strictObject({
  ...Application.entries,
  receipt: v.nullable(CompactJws),
});

/** GET /v1/trials/:id/applications/me/receipt. */
export const Receipt = v.strictObject({ receipt: CompactJws });

/** One entry of a trial's public fill log (API.md "Receipts and the public fill log"). */
export const LogEntry = v.strictObject({
  n: v.pipe(v.number(), v.integer(), v.minValue(1)),
  kind: v.picklist(LOG_KINDS),
  seq: Count,
  applicationId: Id,
  memberTag: Sha256Hex,
  outcome: v.string(),
  at: EpochMs,
  prevHash: Sha256Hex,
  hash: Sha256Hex,
});

/** GET /v1/trials/:id/log: `nextCursor` is the page's last `n` (pass it as `after`). */
export const LogPage = page(LogEntry);

/** GET /v1/trials/:id/log/head: a JWS of {trialId, n, hash, status, at}. */
export const LogHead = v.strictObject({ head: CompactJws });

/** GET /.well-known/jwks.json: the receipt keys, public halves only. */
const ReceiptJwk = v.strictObject({
  kty: v.literal("OKP"),
  crv: v.literal("Ed25519"),
  x: v.string(),
  kid: v.string(),
  alg: v.literal("EdDSA"),
  use: v.literal("sig"),
});
export const Jwks = v.strictObject({ keys: v.array(ReceiptJwk) });

export const Review = v.strictObject({
  id: Id,
  trialId: Id,
  productId: Id,
  userId: Id,
  rating: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(5)),
  title: v.string(),
  body: v.string(),
  createdAt: Instant,
  updatedAt: Instant,
});

const ReviewSummary = v.strictObject({ count: Count, average: v.nullable(v.number()) });

const Notification = v.strictObject({
  id: Id,
  kind: v.picklist(NOTIFICATION_KINDS),
  applicationId: Id,
  status: v.picklist(NOTIFICATION_STATUSES),
  attempts: Count,
  sentAt: v.nullable(Instant),
});

const ReviewStats = v.strictObject({
  count: Count,
  average: v.nullable(v.number()),
  min: v.nullable(Count),
  max: v.nullable(Count),
});

/** A share from 0 to 1, null while its denominator is 0. */
const Rate = (description: string) =>
  v.pipe(v.nullable(v.pipe(v.number(), v.minValue(0), v.maxValue(1))), v.description(description));

/** After the win (docs/decisions/0036): how the trial's winners confirmed and reviewed. */
const JourneyStats = v.strictObject({
  confirmationRate: Rate(
    "Winners who confirmed (whatever became of the place later) ÷ winners whose confirmation " +
      "is settled: those, plus those who lost the place unconfirmed (cancelledReason " +
      "NOT_CONFIRMED), plus those still WON and unconfirmed past their confirmBy (the release " +
      "is on its way). Left out: winners still inside their window, and unconfirmed winners " +
      "who withdrew or whose trial was cancelled. Without confirmWithinMinutes nobody loses " +
      "a place unconfirmed, so the rate is 1 or null.",
  ),
  medianSecondsToConfirm: v.pipe(
    v.nullable(v.pipe(v.number(), v.minValue(0))),
    v.description(
      "Median over winners who confirmed of the seconds from winning the place (the " +
        "application's decidedAt: its decision, draw or promotion) to confirming; null with " +
        "no confirmation.",
    ),
  ),
  reviewCompletionRate: Rate(
    "Shipped winners whose review deadline is settled (reviewed in time, or missed) and who " +
      "have reviewed, at any time, ÷ those settled journeys.",
  ),
  onTimeRate: Rate(
    "Journeys completed by a review written by the deadline (with its extension) ÷ settled " +
      "journeys (completed or missed).",
  ),
});

/** The demand counters a trial's statistics and a product's totals share. */
const DemandCounts = {
  slots: Count,
  applicants: Count,
  won: Count,
  waitlisted: Count,
  cancelled: Count,
  promoted: Count,
  rejected: Count,
};

export const TrialStats = v.strictObject({
  trialId: Id,
  ...DemandCounts,
  openedAt: Instant,
  filledAt: v.nullable(Instant),
  secondsToFill: v.nullable(v.number()),
  peakPerSecond: Count,
  perMinute: v.array(v.strictObject({ minute: Instant, count: Count })),
  reviews: ReviewStats,
  journey: JourneyStats,
  computedAt: Instant,
});

export const ProductStats = v.strictObject({
  productId: Id,
  /** How many of the product's trials have statistics yet. */
  trials: Count,
  ...DemandCounts,
  peakPerSecond: Count,
  reviews: ReviewStats,
  computedAt: v.nullable(Instant),
});

export const RebuildStarted = v.strictObject({
  state: v.picklist(["running", "done"]),
  startedAt: Instant,
  batchSize: Count,
});

export const Health = v.strictObject({
  ok: v.boolean(),
  version: v.string(),
  checks: v.strictObject({
    db: v.picklist(["ok", "down"]),
    cache: v.picklist(["ok", "down", "off"]),
  }),
});

/** POST /v1/trials/:id/live-tickets: a single-use ticket for GET /v1/trials/:id/live. */
export const LiveTicket = v.strictObject({ ticket: v.string(), expiresAt: Instant });

/**
 * What the live room sends (core/live-room/messages.ts), one JSON text frame each. Named
 * components, so /docs shows them beside the upgrade; the contract tests parse every frame
 * they receive with LiveMessage.
 */
const LiveHello = v.strictObject({
  type: v.literal("hello"),
  serverTime: Instant,
  trial: Trial,
  application: v.nullable(Application),
});
const LiveStatus = v.strictObject({
  type: v.literal("status"),
  status: v.picklist(TRIAL_STATUSES),
  closedReason: v.nullable(v.picklist(CLOSED_REASONS)),
  at: Instant,
});
const LiveCounts = v.strictObject({
  type: v.literal("counts"),
  won: Count,
  waitlisted: Count,
  remaining: Count,
  applicants: Count,
  rejected: v.pipe(
    Count,
    v.description("Refused demand: newcomers turned away while every place was taken."),
  ),
  status: v.picklist(TRIAL_STATUSES),
  at: Instant,
});
const LiveApplication = v.strictObject({
  type: v.literal("application"),
  application: Application,
});
export const LiveMessage = v.variant("type", [LiveHello, LiveStatus, LiveCounts, LiveApplication]);

/** A confirmed winner with the address to ship to (each one shown is an access-log row). */
const Winner = v.strictObject({
  applicationId: Id,
  userId: Id,
  name: v.string(),
  seq: v.pipe(v.number(), v.integer(), v.minValue(1)),
  confirmedAt: Instant,
  recipient: v.string(),
  phone: v.string(),
  address: v.string(),
  /** The shipment, once recorded (null until then). */
  carrier: v.nullable(v.string()),
  trackingNumber: v.nullable(v.string()),
  shippedAt: v.nullable(Instant),
});

/** The member's own address for a trial. */
export const OwnAddress = v.strictObject({
  recipient: v.string(),
  phone: v.string(),
  address: v.string(),
  confirmedAt: Instant,
});

/** One read of the member's personal data by a company or an ADMIN. */
const DataAccess = v.strictObject({
  at: Instant,
  companyId: Id,
  trialId: Id,
  what: v.picklist(PERSONAL_DATA_READS),
});

export const UserPage = page(User);
export const ProductPage = page(Product);
export const TrialPage = page(Trial);
export const ApplicationPage = page(Application);
export const ApplicantPage = page(Applicant);
export const StrikePage = page(Strike);
export const NotificationPage = page(Notification);
export const TrialStatsPage = page(TrialStats);
export const WinnerPage = page(Winner);
export const DataAccessPage = page(DataAccess);
export const ReviewPage = v.strictObject({
  items: v.array(Review),
  nextCursor: v.nullable(v.string()),
  summary: ReviewSummary,
});

/**
 * The schemas that become named components (`#/components/schemas/<key>`); any operation
 * using one of these exact schema objects refers to it instead of repeating it.
 */
export const NAMED_SCHEMAS = {
  ErrorBody,
  User,
  Reliability,
  OwnUser,
  TokenPair,
  ImageUpload,
  Product,
  Trial,
  Application,
  OwnApplication,
  Receipt,
  LogEntry,
  LogPage,
  LogHead,
  ReceiptJwk,
  Jwks,
  Review,
  ReviewSummary,
  Notification,
  TrialStats,
  ProductStats,
  RebuildStarted,
  Health,
  UserPage,
  ProductPage,
  TrialPage,
  ApplicationPage,
  Applicant,
  ApplicantPage,
  Strike,
  StrikePage,
  NotificationPage,
  TrialStatsPage,
  ReviewPage,
  Journey,
  ShipmentUploadResult,
  Winner,
  WinnerPage,
  OwnAddress,
  DataAccess,
  DataAccessPage,
  LiveTicket,
  LiveHello,
  LiveStatus,
  LiveCounts,
  LiveApplication,
  LiveMessage,
} satisfies Record<string, v.GenericSchema>;
