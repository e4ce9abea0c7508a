import * as v from "valibot";
import { ROLES } from "../../core/vocabulary/roles";
import { cacheKeys } from "../cache/keys";
import type { Deps } from "../context";
import { presentUser } from "../presenters";
import { getLiveUser } from "./accounts";

export type PresentedUser = ReturnType<typeof presentUser>;

/** A live account: its API shape, and the instant before which its access tokens are dead. */
export interface LiveAccount {
  user: PresentedUser;
  /** users.tokens_valid_after in milliseconds (null: no token was ever revoked). */
  tokensValidAfterMs: number | null;
}

type LookupDeps = Pick<Deps, "db" | "cache" | "config" | "waitUntil">;

// What a cached user must look like to be served. Anything else (a value written by an
// older deploy, a corrupted entry) is a miss, so a bad cache entry can never become a bad
// response. Loose: fields a later presenter adds pass through rather than being stripped.
const CachedUser = v.looseObject({
  id: v.string(),
  email: v.string(),
  name: v.string(),
  role: v.picklist(ROLES),
  slackId: v.nullable(v.string()),
  pendingSlackId: v.nullable(v.string()),
  createdAt: v.string(),
});
const CachedAccount = v.object({
  user: CachedUser,
  tokensValidAfterMs: v.nullable(v.number()),
});

/**
 * The live (not deleted) user in its API shape, from the cache when it has it, else from
 * Postgres (and then cached for CACHE_TTL_SECONDS). Null when there is no such live user;
 * a miss that finds nobody caches nothing, so a deleted account never stays "found" by a
 * negative entry and a new one is visible at once.
 */
export async function findLiveUserCached(
  deps: LookupDeps,
  userId: string,
): Promise<PresentedUser | null> {
  return (await findLiveAccountCached(deps, userId))?.user ?? null;
}

/** As findLiveUserCached, with the instant before which the account's tokens are refused. */
export function findLiveAccountCached(
  deps: LookupDeps,
  userId: string,
): Promise<LiveAccount | null> {
  // requireAuth and the route both ask; one request looks the user up once.
  let lookups = perRequest.get(deps);
  if (!lookups) {
    lookups = new Map();
    perRequest.set(deps, lookups);
  }
  let lookup = lookups.get(userId);
  if (!lookup) {
    lookup = lookUp(deps, userId);
    lookups.set(userId, lookup);
  }
  return lookup;
}

// Keyed by the request's Deps object (the runtime builds one per request), so nothing
// outlives the request and no request ever sees another's answer.
const perRequest = new WeakMap<object, Map<string, Promise<LiveAccount | null>>>();

async function lookUp(deps: LookupDeps, userId: string): Promise<LiveAccount | null> {
  const key = cacheKeys.user(userId);
  if (deps.cache.enabled) {
    const hit = v.safeParse(CachedAccount, await deps.cache.get(key));
    if (hit.success && hit.output.user.id === userId) return hit.output;
  }
  const row = await getLiveUser(await deps.db.db(), userId);
  if (!row) return null;
  const account = {
    user: presentUser(row),
    tokensValidAfterMs: row.tokensValidAfter?.getTime() ?? null,
  };
  // After the response: the caller should not wait for the cache to learn the answer.
  if (deps.cache.enabled) {
    deps.waitUntil(deps.cache.set(key, account, deps.config.cacheTtlSeconds));
  }
  return account;
}

/**
 * How long after an invalidation the entry is deleted a second time. A read that missed
 * just before the write can still be storing the old row when the first delete lands
 * (read old row → write commits → delete → that read's SET); the second delete removes
 * that copy. Reads store within a few milliseconds of loading, so half a second covers it.
 */
export const SECOND_DELETE_DELAY_MS = 500;

/**
 * Call after every write to a user (profile change, password change that matters to the
 * presented shape, deletion), once the write has committed. Awaits the first delete so the
 * writer's own next read sees the new row; the second one runs after the response.
 */
export async function invalidateUser(
  deps: Pick<Deps, "cache" | "waitUntil">,
  userId: string,
): Promise<void> {
  perRequest.get(deps)?.delete(userId); // this request's later reads see the write too
  if (!deps.cache.enabled) return;
  const key = cacheKeys.user(userId);
  await deps.cache.delete(key);
  deps.waitUntil(
    new Promise((resolve) => setTimeout(resolve, SECOND_DELETE_DELAY_MS)).then(() =>
      deps.cache.delete(key),
    ),
  );
}
