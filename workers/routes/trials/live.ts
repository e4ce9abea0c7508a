import { Hono } from "hono";
import type { OpenResult } from "../../../core/ports/live-rooms";
import type { AppEnv } from "../../context";
import { AppError } from "../../errors";
import { issueTicket, verifyTicket } from "../../live-room/tickets";
import { requireAuth } from "../../middleware/auth";
import { refusesIdempotencyKey } from "../../middleware/idempotency";
import { readTrialCatalog } from "../../services/catalog-reads";
import { IdParam, validate } from "../../validation";
import { LiveQuery } from "./schemas";

/**
 * The live trial room (API.md, "Live trial room"): tickets for the signed-in, and the
 * WebSocket itself. Every refusal happens before the upgrade, as an ordinary HTTP answer in
 * the error shape: 404 unknown trial, 426 not an upgrade, 401 bad ticket (here: signature,
 * audience, trial, expiry; in the room: already spent), 503 room full, 429 past the
 * member's own sockets.
 */
export const liveRoutes = new Hono<AppEnv>()
  .post(
    "/:id/live-tickets",
    requireAuth(),
    validate("param", IdParam),
    // A ticket is single use: replaying the request must mint a new one, never the same.
    refusesIdempotencyKey(),
    async (c) => {
      const trialId = c.req.valid("param").id;
      await readTrialCatalog(c.var.deps, trialId);
      const ticket = await issueTicket(c.var.caller.userId, trialId, c.var.deps.config.jwtSecret);
      c.header("Cache-Control", "no-store");
      return c.json(ticket, 201);
    },
  )
  .get("/:id/live", validate("param", IdParam), validate("query", LiveQuery), async (c) => {
    const { deps } = c.var;
    const trialId = c.req.valid("param").id;
    const trial = await readTrialCatalog(deps, trialId);
    if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
      throw new AppError(
        "UPGRADE_REQUIRED",
        "This is a WebSocket: open it with an Upgrade: websocket request.",
      );
    }
    const { ticket } = c.req.valid("query");
    const member =
      ticket === undefined ? null : await verifyTicket(ticket, trialId, deps.config.jwtSecret);
    if (ticket !== undefined && !member) {
      throw new AppError(
        "INVALID_LIVE_TICKET",
        "The ticket is not valid for this trial, or it expired; ask for a new one.",
      );
    }
    const result = await deps.liveRooms.open(c.req.raw, {
      trialId,
      trial,
      member,
      maxWatchers: deps.config.live.maxWatchers,
    });
    // Sockets opened and refused per reason: how full the rooms run during a drop.
    deps.metrics.count("live_upgrades_total", {
      result: result.kind === "opened" ? "opened" : result.code,
      ticketed: member ? "yes" : "no",
    });
    if (result.kind === "opened") return result.response;
    throw refusal(result);
  });

function refusal(result: Exclude<OpenResult, { kind: "opened" }>): AppError {
  switch (result.code) {
    case "TRIAL_NOT_FOUND":
      return new AppError("TRIAL_NOT_FOUND", "No such trial.");
    case "INVALID_LIVE_TICKET":
      return new AppError(
        "INVALID_LIVE_TICKET",
        "This ticket was already used; a ticket opens one socket. Ask for a new one.",
      );
    case "LIVE_ROOM_FULL":
      return new AppError(
        "LIVE_ROOM_FULL",
        "The room holds as many watchers as it can; try again shortly.",
        [],
        result.retryAfterSeconds,
      );
    case "RATE_LIMITED":
      return new AppError(
        "RATE_LIMITED",
        "You have as many sockets open on this trial as one member may; close one first.",
        [],
        result.retryAfterSeconds,
      );
  }
}
