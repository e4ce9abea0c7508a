import { describeError, log } from "../../core/log";
import type { Revocation, RevocationStore } from "../../core/ports/revocations";
import { AppError } from "../errors";
import { awaitShared } from "../lib/await-shared";

/**
 * A token issued at or before the account's revocation instant is dead. Equal counts as
 * before: of two events in one millisecond the order is unknown, and a token refused by
 * mistake costs its holder one refresh, one accepted by mistake outlives a logout.
 */
export function revokedBy(issuedAtMs: number, revokedAtMs: number | null | undefined): boolean {
  return revokedAtMs != null && issuedAtMs <= revokedAtMs;
}

/** The view never answers from a copy older than this (docs/decisions/0024). */
export const MAX_STALENESS_MS = 1000;
/** From this age on a request refreshes the view in the background and does not wait. */
export const REFRESH_AFTER_MS = 500;
const PUBLISH_RETRY_AFTER_SECONDS = 1;

/**
 * How long a revocation is kept: an access token lives ACCESS_TOKEN_TTL_SECONDS, so past that
 * every token it could refuse has expired anyway. The minute on top covers clocks of the
 * machines that issue tokens running apart.
 */
export function keepMsFor(accessTokenTtlSeconds: number): number {
  return accessTokenTtlSeconds * 1000 + 60_000;
}

type WaitUntil = (promise: Promise<unknown>) => void;

/**
 * This isolate's copy of the revocation list, so a check is a map lookup. A request that
 * finds the copy older than MAX_STALENESS_MS waits for one refresh (shared by every request
 * arriving meanwhile); between REFRESH_AFTER_MS and that, a background refresh keeps a busy
 * isolate from ever waiting. A refresh asks only for what was published since the last one.
 *
 * A store that cannot be reached is not waited on again for MAX_STALENESS_MS, and the copy
 * it had stays in force: applying goes on (refusing every apply because the list is out of
 * reach would turn its outage into ours), and revocations published meanwhile reach this
 * isolate when the store is back. The decisions consumer still releases a deleted member's
 * place (0011).
 */
export class RevocationView {
  private readonly revoked = new Map<string, number>();
  private cursor: string | null = null;
  /** When the refresh that built the copy started: it holds everything published before. */
  private asOf = Number.NEGATIVE_INFINITY;
  private refreshing: Promise<void> | null = null;
  private retryAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly store: RevocationStore,
    private readonly keepMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether a token of `userId` issued at `issuedAtMs` was revoked. */
  async isRevoked(userId: string, issuedAtMs: number, waitUntil: WaitUntil): Promise<boolean> {
    const now = this.now();
    const age = now - this.asOf;
    // The refresh may be another request's: awaited so that workerd does not take us for hung.
    if (age >= MAX_STALENESS_MS && now >= this.retryAt) await awaitShared(this.refresh());
    else if (age >= REFRESH_AFTER_MS && now >= this.retryAt) waitUntil(this.refresh());
    return revokedBy(issuedAtMs, this.revoked.get(userId));
  }

  /**
   * Publishes a revocation; this isolate honours it at once, the others within a second.
   * A store out of reach is a 503: the logout, password change or deletion did not happen
   * (the caller publishes before writing Postgres) and can be retried.
   */
  async revoke(revocation: Revocation): Promise<void> {
    try {
      await this.store.publish(revocation, this.keepMs);
    } catch (err) {
      log.warn("revocations.publish_failed", { error: describeError(err) });
      throw new AppError(
        "SERVICE_UNAVAILABLE",
        "Sessions cannot be ended right now; retry shortly.",
        [],
        PUBLISH_RETRY_AFTER_SECONDS,
      );
    }
    this.remember(revocation);
  }

  /**
   * Revokes every token of `userId` issued until now and answers that instant, for
   * users.tokens_valid_after. Call it BEFORE the Postgres write: if that write then fails,
   * the member's access tokens died for nothing and a refresh brings new ones; the other
   * order could leave a password changed and its old tokens applying.
   */
  async revokeUntilNow(userId: string): Promise<Date> {
    const atMs = this.now();
    await this.revoke({ userId, atMs });
    return new Date(atMs);
  }

  private refresh(): Promise<void> {
    this.refreshing ??= this.load().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private async load(): Promise<void> {
    const started = this.now();
    try {
      const feed = await this.store.since(this.cursor, this.keepMs);
      if (feed.reset) this.revoked.clear();
      for (const entry of feed.entries) this.remember(entry);
      this.cursor = feed.cursor;
      this.asOf = started;
      this.forgetExpired(started);
    } catch (err) {
      this.retryAt = this.now() + MAX_STALENESS_MS;
      log.warn("revocations.unavailable", { error: describeError(err) });
    }
  }

  private remember({ userId, atMs }: Revocation): void {
    if ((this.revoked.get(userId) ?? Number.NEGATIVE_INFINITY) < atMs) {
      this.revoked.set(userId, atMs);
    }
  }

  private forgetExpired(now: number): void {
    for (const [userId, atMs] of this.revoked) {
      if (atMs + this.keepMs < now) this.revoked.delete(userId);
    }
  }
}
