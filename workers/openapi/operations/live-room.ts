import { PING, PONG } from "../../../core/live-room/client-messages";
import { COUNTS_INTERVAL_MS } from "../../../core/live-room/counts-pacer";
import type { OperationDoc } from "../operation-doc";
import * as R from "../responses";

/** The live trial room (API.md "Live trial room"). Keyed by `METHOD path` as Hono lists the route. */
export const LIVE_ROOM_OPERATIONS: Record<string, OperationDoc> = {
  "POST /v1/trials/:id/live-tickets": {
    summary: "A ticket to open the live room as oneself",
    tag: "Live trial room",
    security: "bearer",
    who: "signed in",
    notes:
      "Single use, valid 60 s, bound to the caller and the trial. Browsers cannot send an " +
      "Authorization header on a WebSocket, and an access token must never sit in a URL " +
      "that logs keep: open GET /v1/trials/{id}/live?ticket=… with it instead.",
    responses: { 201: { description: "The ticket and when it expires", schema: R.LiveTicket } },
    errors: ["TRIAL_NOT_FOUND"],
  },
  "GET /v1/trials/:id/live": {
    summary: "The live trial room (WebSocket)",
    tag: "Live trial room",
    security: "none",
    who: "anyone; with ?ticket= one's own application too",
    notes:
      "A WebSocket upgrade. Every refusal comes before it, as an ordinary answer in the " +
      "error shape. Once open, every frame the server sends is one LiveMessage (JSON text): " +
      "`hello` first ({serverTime, trial, application}: the Trial of GET /v1/trials/{id} and, " +
      "with a ticket, the caller's application or null), `status` at once on every change, " +
      `\`counts\` at most every ${COUNTS_INTERVAL_MS} ms while they change and always once after ` +
      "the last change, and `application` to its own member only: on the decision, when a " +
      "waiting position moves, on promotion and on cancellation. A client may send only " +
      `the ping ${PING} (answered ${PONG}); other messages are ignored, and a client that ` +
      "sends more than 20 in 10 s is closed with 1008 (on Cloudflare the runtime answers pings " +
      "itself, and they never count). At most 5 sockets per member and trial.",
    responses: {
      101: {
        description: "Switching Protocols: the socket is open; each frame is a LiveMessage",
        schema: R.LiveMessage,
      },
    },
    errors: [
      "TRIAL_NOT_FOUND",
      "UPGRADE_REQUIRED",
      "INVALID_LIVE_TICKET",
      "RATE_LIMITED",
      "LIVE_ROOM_FULL",
    ],
  },
};
