import { and, eq, gt, isNotNull, isNull, lt, sql } from "drizzle-orm";
import { log } from "../../core/log";
import type { Notifier } from "../../core/ports/notifier";
import type { Database } from "../../db/client";
import { users } from "../../db/schema";
import { AppError } from "../errors";
import { keyedHashHex } from "../lib/digests";
import { escapeMrkdwn } from "../notifications/messages";

/**
 * Linking a Slack id takes proof (docs/decisions/0026): a one-time code goes to that Slack
 * user by direct message, and only the member who types it back gets the id linked. Until
 * then the id is pending and nothing but its code is ever sent to it, so nobody can aim
 * result messages at someone else's Slack account.
 */

/** How long a code stays good, and how many wrong codes it survives. */
const SLACK_CODE_TTL_MS = 10 * 60 * 1000;
const SLACK_CODE_MAX_ATTEMPTS = 5;
const CODE_DIGITS = 6;

type UserRow = typeof users.$inferSelect;

export interface SlackLinkDeps {
  db: Database;
  notifier: Notifier;
  /** The HMAC key codes are stored under: a leaked row does not give its code away. */
  secret: Uint8Array;
  now?: () => number;
}

/**
 * Sends a new code to `slackId` and records it as the member's pending id; a code sent
 * before (to this id or another) stops working. The linked id, if any, stays linked until
 * the new one is proven. Nothing is stored when the code could not be sent.
 */
export async function requestSlackLink(
  deps: SlackLinkDeps,
  user: Pick<UserRow, "id" | "name">,
  slackId: string,
): Promise<UserRow> {
  // A webhook posts to a channel other people read: a code there proves nothing.
  if (deps.notifier.channelFor(slackId) !== "dm") {
    throw new AppError(
      "SLACK_UNREACHABLE",
      "Slack ids cannot be linked here: no Slack app is configured to send the code by direct message.",
      [{ path: "slackId", message: "no way to send a code by Slack direct message" }],
    );
  }
  const code = newCode();
  const result = await deps.notifier.send(codeMessage(slackId, user.name, code));
  if (result.kind === "retry-after" || result.kind === "transient") {
    throw new AppError(
      "SERVICE_UNAVAILABLE",
      "Slack did not take the code; try again shortly.",
      [],
      result.kind === "retry-after" ? result.seconds : 5,
    );
  }
  if (result.kind !== "sent") {
    log.warn("slack_link.code_refused", {
      userId: user.id,
      error: result.kind === "skipped" ? result.reason : result.error,
    });
    throw new AppError(
      "SLACK_UNREACHABLE",
      "Slack refused to deliver a direct message to this id.",
      [{ path: "slackId", message: "Slack cannot reach this member id" }],
    );
  }
  const now = deps.now?.() ?? Date.now();
  const [row] = await deps.db
    .update(users)
    .set({
      pendingSlackId: slackId,
      slackCodeHash: await codeHash(deps.secret, user.id, slackId, code),
      slackCodeExpiresAt: new Date(now + SLACK_CODE_TTL_MS),
      slackCodeAttempts: 0,
      updatedAt: sql`now()`,
    })
    .where(and(eq(users.id, user.id), isNull(users.deletedAt)))
    .returning();
  if (!row) throw new AppError("UNAUTHORIZED", "This account no longer exists.");
  return row;
}

/**
 * Checks a code typed back. Each try is counted (in one guarded statement, so parallel
 * guesses cannot outrun the limit) before the code is compared; the right code links the
 * pending id. A wrong one answers 422 with the tries left; past the last try, or past the
 * expiry, the code is dead (409) and a new one must be asked for.
 */
export async function verifySlackCode(
  deps: Omit<SlackLinkDeps, "notifier">,
  userId: string,
  code: string,
): Promise<UserRow> {
  const live = and(
    eq(users.id, userId),
    isNull(users.deletedAt),
    isNotNull(users.slackCodeHash),
    gt(users.slackCodeExpiresAt, new Date(deps.now?.() ?? Date.now())),
  );
  const [claimed] = await deps.db
    .update(users)
    .set({ slackCodeAttempts: sql`${users.slackCodeAttempts} + 1` })
    .where(and(live, lt(users.slackCodeAttempts, SLACK_CODE_MAX_ATTEMPTS)))
    .returning({
      pendingSlackId: users.pendingSlackId,
      slackCodeHash: users.slackCodeHash,
      attempts: users.slackCodeAttempts,
    });
  if (!claimed?.pendingSlackId || !claimed.slackCodeHash) throw await noLiveCode(deps.db, userId);

  const given = await codeHash(deps.secret, userId, claimed.pendingSlackId, code);
  if (!timingSafeEqual(given, claimed.slackCodeHash)) {
    const left = SLACK_CODE_MAX_ATTEMPTS - claimed.attempts;
    throw new AppError("WRONG_SLACK_CODE", "That is not the code sent to this Slack id.", [
      { path: "code", message: `wrong code; ${left} ${left === 1 ? "try" : "tries"} left` },
    ]);
  }
  // Guarded by the hash: a new code asked for meanwhile is not linked by the old one.
  const [linked] = await deps.db
    .update(users)
    .set({
      slackId: claimed.pendingSlackId,
      pendingSlackId: null,
      slackCodeHash: null,
      slackCodeExpiresAt: null,
      slackCodeAttempts: 0,
      updatedAt: sql`now()`,
    })
    .where(and(eq(users.id, userId), eq(users.slackCodeHash, claimed.slackCodeHash)))
    .returning();
  if (!linked) throw await noLiveCode(deps.db, userId);
  return linked;
}

/** Unlinks the member's Slack id and forgets any pending one with its code. */
async function clearSlackLink(db: Database, userId: string): Promise<UserRow> {
  const [row] = await db
    .update(users)
    .set({
      slackId: null,
      pendingSlackId: null,
      slackCodeHash: null,
      slackCodeExpiresAt: null,
      slackCodeAttempts: 0,
      updatedAt: sql`now()`,
    })
    .where(and(eq(users.id, userId), isNull(users.deletedAt)))
    .returning();
  if (!row) throw new AppError("UNAUTHORIZED", "This account no longer exists.");
  return row;
}

/** Why there is nothing to check a code against: never asked for, or dead. */
async function noLiveCode(db: Database, userId: string): Promise<AppError> {
  const [row] = await db
    .select({ hash: users.slackCodeHash })
    .from(users)
    .where(and(eq(users.id, userId), isNull(users.deletedAt)));
  if (!row) return new AppError("UNAUTHORIZED", "This account no longer exists.");
  return row.hash
    ? new AppError(
        "SLACK_CODE_EXPIRED",
        "This code has expired or used up its tries: set the Slack id again for a new code.",
      )
    : new AppError(
        "NO_SLACK_CODE",
        "No Slack id is waiting for a code: set one with PATCH /v1/users/me first.",
      );
}

/** Six digits, uniform: rejection sampling keeps the modulo from favouring low codes. */
function newCode(): string {
  const range = 10 ** CODE_DIGITS;
  const limit = Math.floor(0x1_0000_0000 / range) * range;
  const buf = new Uint32Array(1);
  for (;;) {
    crypto.getRandomValues(buf);
    const n = buf[0] ?? limit;
    if (n < limit) return String(n % range).padStart(CODE_DIGITS, "0");
  }
}

async function codeHash(
  secret: Uint8Array,
  userId: string,
  slackId: string,
  code: string,
): Promise<string> {
  // Bound to the account and the id: a code is proof for this pair only.
  return keyedHashHex(secret, "try-it slack link code", `${userId}\u0000${slackId}\u0000${code}`);
}

function timingSafeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/** The direct message that carries the code. */
function codeMessage(slackId: string, displayName: string, code: string) {
  const minutes = SLACK_CODE_TTL_MS / 60_000;
  const text = `Your Try-it code is ${code}. Type it in Try-it to link this Slack account to ${escapeMrkdwn(displayName)}'s profile; it works for ${minutes} minutes. If you did not ask for it, ignore this message: nothing is linked without the code.`;
  return {
    slackId,
    displayName,
    text,
    blocks: [{ type: "section", text: { type: "mrkdwn", text } }],
  };
}

/**
 * What setting `slackId` on a profile does: null unlinks (and drops a pending id); the id
 * already linked changes nothing; any other id (a new one, or the pending one again for a
 * fresh code) is sent a code and waits, pending, for it.
 */
export async function changeSlackId(
  deps: SlackLinkDeps,
  user: UserRow,
  slackId: string | null,
): Promise<UserRow> {
  if (slackId === null) return clearSlackLink(deps.db, user.id);
  if (slackId === user.slackId) return user;
  return requestSlackLink(deps, user, slackId);
}
