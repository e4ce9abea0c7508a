import { errors, jwtVerify, SignJWT } from "jose";
import type { TicketHolder } from "../../core/ports/live-rooms";

/**
 * Live-room tickets (POST /v1/trials/:id/live-tickets): how a browser says who it is on a
 * WebSocket, which cannot carry an Authorization header, without putting an access token in
 * a URL that logs keep. A ticket is a short HS256 JWT for its own audience (an access token
 * is never a ticket, nor a ticket an access token), bound to one member and one trial, valid
 * 60 s. This file checks signature, audience, trial and expiry; the room spends the ticket's
 * id when the socket opens, so each ticket opens one socket (single use).
 */
const ALG = "HS256";
const ISSUER = "try-it";
const AUDIENCE = "try-it-live";
const TICKET_TTL_SECONDS = 60;
/** A ticket is about 300 characters; anything much longer is not one of ours. */
const MAX_TICKET_LENGTH = 1024;

export async function issueTicket(
  userId: string,
  trialId: string,
  secret: Uint8Array,
  now = Date.now(),
): Promise<{ ticket: string; expiresAt: string }> {
  const exp = Math.floor(now / 1000) + TICKET_TTL_SECONDS;
  const ticket = await new SignJWT({ trial: trialId })
    .setProtectedHeader({ alg: ALG })
    .setSubject(userId)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setJti(crypto.randomUUID())
    .setIssuedAt(Math.floor(now / 1000))
    .setExpirationTime(exp)
    .sign(secret);
  return { ticket, expiresAt: new Date(exp * 1000).toISOString() };
}

/** The ticket's holder, or null when it is not a valid ticket for this trial right now. */
export async function verifyTicket(
  ticket: string,
  trialId: string,
  secret: Uint8Array,
): Promise<TicketHolder | null> {
  if (ticket.length === 0 || ticket.length > MAX_TICKET_LENGTH) return null;
  try {
    const { payload } = await jwtVerify(ticket, secret, {
      algorithms: [ALG],
      issuer: ISSUER,
      audience: AUDIENCE,
      requiredClaims: ["sub", "jti", "exp", "trial"],
    });
    if (payload.trial !== trialId || typeof payload.sub !== "string") return null;
    if (typeof payload.jti !== "string" || typeof payload.exp !== "number") return null;
    return { userId: payload.sub, ticketId: payload.jti, expiresAt: payload.exp * 1000 };
  } catch (err) {
    if (err instanceof errors.JOSEError) return null;
    throw err;
  }
}
