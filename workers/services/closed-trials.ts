import { mightHaveApplied } from "../../core/first-come/applicant-filter";
import { describeError, log } from "../../core/log";
import type { ClosedNotice, TrialGates } from "../../core/ports/trial-gate";
import { AppError } from "../errors";

/**
 * The post-fill fast path. After a popular trial fills, thousands keep pressing "apply";
 * each would cost a Redis round trip and a call to the trial's gate only to hear 409. The
 * first refusal this isolate sees from a gate makes it fetch the gate's closed notice (the
 * refusal plus a Bloom filter of every member holding an application); for a short while
 * after, a newcomer is refused here, from memory, and a member who did apply still goes to
 * the gate and gets their own application back. Refusals made here are tallied and handed
 * to the gate in batches, so the statistics still count that demand.
 *
 * Kept per isolate, never in Redis: reading it there would put a Redis call back on every
 * apply of every open trial. Freshness is bounded (FRESH_MS): a FULL trial reopens when a
 * place is given back, and an isolate that did not see the withdrawal may refuse a newcomer
 * for up to FRESH_MS after the reopening (docs/decisions/0015).
 */
const FRESH_MS = 1000;
/** Trials remembered per isolate; a drop is rarely about more than a handful at once. */
const MAX_TRIALS = 1000;

interface Known extends ClosedNotice {
  until: number;
}

const known = new Map<string, Known>();
const learning = new Map<string, Promise<void>>();
const tally = new Map<string, number>();
const flushing = new Set<string>();

type WaitUntil = (promise: Promise<unknown>) => void;

/** The refusal for this member, if this isolate knows the trial refuses them; else null. */
export function refuseFromNotice(
  gates: TrialGates,
  trialId: string,
  userId: string,
  waitUntil: WaitUntil,
  now = Date.now(),
): AppError | null {
  const notice = known.get(trialId);
  if (!notice) return null;
  if (notice.until <= now) {
    known.delete(trialId);
    return null;
  }
  if (mightHaveApplied(notice.filter, userId)) return null;
  if (notice.code === "TRIAL_CLOSED") countRefusal(gates, trialId, waitUntil);
  return notice.code === "TRIAL_CLOSED"
    ? new AppError("TRIAL_CLOSED", "The trial is closed: every place is taken or it has ended.")
    : new AppError("TRIAL_CANCELLED", "The trial was cancelled.");
}

/** After the gate refused with a lasting code: fetch its notice (once at a time). */
export function learnClosed(gates: TrialGates, trialId: string, waitUntil: WaitUntil): void {
  if (learning.has(trialId)) return;
  const fetching = gates
    .get(trialId)
    .closedNotice()
    .then((notice) => {
      if (!notice) return void known.delete(trialId);
      if (known.size >= MAX_TRIALS) known.clear();
      known.set(trialId, { ...notice, until: Date.now() + FRESH_MS });
    })
    .catch((err: unknown) => {
      log.warn("closed_trials.notice_failed", { trialId, error: describeError(err) });
    })
    .finally(() => learning.delete(trialId));
  learning.set(trialId, fetching);
  waitUntil(fetching);
}

/** A place was given back through this isolate: the trial may be open again. */
export function forgetClosed(trialId: string): void {
  known.delete(trialId);
}

/** Refusals are handed to the gate one batch at a time: one call per round trip, not per 409. */
function countRefusal(gates: TrialGates, trialId: string, waitUntil: WaitUntil): void {
  tally.set(trialId, (tally.get(trialId) ?? 0) + 1);
  if (flushing.has(trialId)) return;
  flushing.add(trialId);
  waitUntil(
    (async () => {
      try {
        for (let n = tally.get(trialId) ?? 0; n > 0; n = tally.get(trialId) ?? 0) {
          tally.delete(trialId);
          try {
            await gates.get(trialId).countRejected(n);
          } catch (err) {
            // Demand statistics only: not worth a retry loop that outlives the request.
            log.warn("closed_trials.count_failed", { trialId, lost: n, error: describeError(err) });
          }
        }
      } finally {
        flushing.delete(trialId);
      }
    })(),
  );
}
