/** Enough for a hot trial shared by a few isolates; past this something is wrong. */
const MAX_ATTEMPTS = 100;
const MAX_BACKOFF_MS = 50;

/** A commit whose versionstamp check failed: another isolate decided first. */
export const LOST_RACE = Symbol("lost-race");

/**
 * Runs one optimistic decision until it commits. A lost race (the attempt returns LOST_RACE)
 * reloads and decides again; a thrown KV error is treated as transient, as it must be on
 * Deno Deploy (and the local SQLite store answers "database is locked" across processes).
 * Jittered backoff keeps competing isolates from colliding in lockstep.
 */
export async function untilCommitted<T>(attempt: () => Promise<T | typeof LOST_RACE>): Promise<T> {
  let lastError: unknown = null;
  for (let n = 1; n <= MAX_ATTEMPTS; n++) {
    try {
      const result = await attempt();
      if (result !== LOST_RACE) return result;
    } catch (err) {
      lastError = err;
    }
    await sleep(Math.random() * Math.min(MAX_BACKOFF_MS, 2 * n));
  }
  throw new Error(`gate decision did not commit after ${MAX_ATTEMPTS} attempts`, {
    cause: lastError,
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
