import { Hono } from "hono";
import type { AppEnv } from "../../context";
import { AppError } from "../../errors";
import { withJourneys } from "../../journeys/journey";
import { decodeCursor, toPage } from "../../lib/cursor";
import { publicOrigin } from "../../lib/origin";
import { requireAuth, requireRole, requireToken } from "../../middleware/auth";
import { idempotent } from "../../middleware/idempotency";
import { applyLimit } from "../../middleware/rate-limit";
import { presentApplication } from "../../presenters";
import {
  applyToTrial,
  cancelMyApplication,
  getMyApplication,
  getMyReceipt,
  listTrialApplications,
  receiptFor,
} from "../../services/applications";
import { forgetClosed, learnClosed, refuseFromNotice } from "../../services/closed-trials";
import { assertOwnsTrial, getTrialRow } from "../../services/trials";
import { refuseIfRestricted } from "../../strikes/refusal";
import { NO_RECORD, presentReliability, reliabilityOf } from "../../strikes/reliability";
import { IdParam, validate } from "../../validation";
import { ApplyBody, ListApplicationsQuery, SeqCursor } from "./schemas";

/** The first-come core's routes, under /v1/trials/:id/applications. */
export const applicationRoutes = new Hono<AppEnv>()
  .post(
    "/:id/applications",
    // The hot path: the token's signature, then the member's rate limit on the platform (no
    // Postgres, no Redis: docs/decisions/0020), then the gate. After a trial is full, a
    // newcomer is refused from this isolate's closed notice before the limit
    // (services/closed-trials.ts, docs/decisions/0015).
    requireToken(applyLimit, (c, claims) => {
      if (claims.role !== "MEMBER") return;
      // Two strikes: the token carries the restriction (docs/decisions/0036).
      refuseIfRestricted(claims);
      const { gates, metrics } = c.var.deps;
      const refusal = refuseFromNotice(
        gates,
        (c.req.param("id") ?? "").toLowerCase(),
        claims.userId,
        (p) => c.var.deps.waitUntil(p),
      );
      if (refusal) {
        metrics.count("applications_total", { outcome: refusal.code, via: "notice" });
        throw refusal;
      }
    }),
    requireRole("MEMBER"),
    validate("param", IdParam),
    validate("json", ApplyBody),
    idempotent(),
    async (c) => {
      const { gates, waitUntil, metrics } = c.var.deps;
      const trialId = c.req.valid("param").id;
      const started = performance.now();
      let decided: Awaited<ReturnType<typeof applyToTrial>>;
      try {
        decided = await applyToTrial(
          c.var.deps,
          trialId,
          c.var.caller.userId,
          c.req.valid("json").note || null,
        );
      } catch (err) {
        if (err instanceof AppError) {
          metrics.count("applications_total", { outcome: err.code, via: "gate" });
          if (err.code === "TRIAL_CLOSED" || err.code === "TRIAL_CANCELLED") {
            learnClosed(gates, trialId, waitUntil);
          }
        }
        throw err;
      } finally {
        metrics.observe("gate_call_ms", { op: "apply" }, performance.now() - started);
      }
      const { created, application, batchSize } = decided;
      const outcome = created ? application.status : "REPEAT";
      metrics.count("applications_total", { outcome, via: "gate" });
      // Each of the batch's requests counts its share of the call: the counter sums to the
      // number of gate calls, and applications ÷ calls is the batch factor.
      metrics.count("gate_calls_total", { op: "apply" }, 1 / batchSize);
      // How long the gate call took and how many applications shared it (group commit):
      // for a client's developer tools and for the benchmark's batch factor.
      const gateMs = performance.now() - started;
      c.header("Server-Timing", `gate;dur=${gateMs.toFixed(1)};desc="batch of ${batchSize}"`);
      // The member's own Application carries the receipt of its latest entry, signed here
      // after the gate answered (the gate's thread only decides and writes).
      const receipt = receiptFor(c.var.deps, publicOrigin(c), application);
      const signMs = performance.now() - started - gateMs;
      c.header("Server-Timing", `receipt;dur=${signMs.toFixed(1)}`, { append: true });
      return c.json({ ...presentApplication(application), receipt }, created ? 201 : 200);
    },
  )
  .delete(
    "/:id/applications/me",
    requireAuth(),
    requireRole("MEMBER"),
    validate("param", IdParam),
    idempotent(),
    async (c) => {
      const trialId = c.req.valid("param").id;
      const application = await cancelMyApplication(c.var.deps.gates, trialId, c.var.caller.userId);
      // A place given back may reopen a FULL trial: this isolate stops refusing at once.
      forgetClosed(trialId);
      return c.json(presentApplication(application), 200);
    },
  )
  .get(
    "/:id/applications/me",
    requireAuth(),
    requireRole("MEMBER"),
    validate("param", IdParam),
    async (c) => {
      const application = await getMyApplication(
        c.var.deps.gates,
        c.req.valid("param").id,
        c.var.caller.userId,
      );
      // The gate decides the place; the parcel and its review deadline are Postgres's.
      const [withJourney] = await withJourneys(await c.var.deps.db.db(), [application]);
      return c.json(presentApplication(withJourney ?? application), 200);
    },
  )
  .get(
    "/:id/applications/me/receipt",
    requireAuth(),
    requireRole("MEMBER"),
    validate("param", IdParam),
    async (c) => {
      const receipt = await getMyReceipt(
        c.var.deps,
        publicOrigin(c),
        c.req.valid("param").id,
        c.var.caller.userId,
      );
      return c.json({ receipt }, 200);
    },
  )
  .get(
    "/:id/applications",
    requireAuth(),
    requireRole("COMPANY", "ADMIN"),
    validate("param", IdParam),
    validate("query", ListApplicationsQuery),
    async (c) => {
      const db = await c.var.deps.db.db();
      const trial = await getTrialRow(db, c.req.valid("param").id);
      assertOwnsTrial(c.var.caller, trial);
      const query = c.req.valid("query");
      const after = decodeCursor(query.cursor, SeqCursor);
      const rows = await withJourneys(
        db,
        await listTrialApplications(db, trial.id, {
          status: query.status,
          afterSeq: after?.seq ?? 0,
          limit: query.limit,
        }),
      );
      // Each applicant's record after the win, for the whole page in one query.
      const reliability = await reliabilityOf(
        db,
        rows.map((r) => r.userId),
        Date.now(),
      );
      const present = (r: (typeof rows)[number]) => ({
        ...presentApplication(r),
        reliability: presentReliability(reliability.get(r.userId) ?? NO_RECORD),
      });
      return c.json(
        toPage(rows, query.limit, present, SeqCursor, (r) => ({ seq: r.seq })),
        200,
      );
    },
  );
