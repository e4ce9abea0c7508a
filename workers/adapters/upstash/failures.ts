import { log } from "../../../core/log";

export type CacheFailureKind = "config" | "timeout" | "unreachable" | "error" | "garbage";

// Per isolate: a Redis that is down fails every request, and one line per kind says so
// without flooding the logs. The set lives as long as the isolate, which is the point.
const reported = new Set<CacheFailureKind>();

/** Logs the first failure of each kind in this isolate; the rest are silent misses. */
export function reportCacheFailure(kind: CacheFailureKind, op: string, err: unknown): void {
  if (reported.has(kind)) return;
  reported.add(kind);
  log.warn("cache.degraded", {
    kind,
    op,
    error: safeMessage(err),
    note: "treated as a miss; further failures of this kind are not logged in this isolate",
  });
}

/**
 * The SDK puts the whole command in its messages (", command was: [...]"), and a SET's
 * command holds the cached value (an e-mail, a name): everything from there on is cut.
 */
function safeMessage(err: unknown): string {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return text.split(", command was:")[0]?.slice(0, 300) ?? "";
}

/** For tests: which kinds this isolate has already logged. */
export function reportedCacheFailures(): ReadonlySet<CacheFailureKind> {
  return reported;
}
