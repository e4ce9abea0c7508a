/**
 * A second Deno process for the cross-process test: opens the same KV file and applies for
 * the given members at once, starting at a shared wall-clock instant. Prints the results and
 * when it started and finished, so the test can prove both processes applied at once.
 * Usage: apply-worker.ts <kvPath> <trialId> <startAtMs> <userId>...
 */
import { kvTrialGates } from "../kv-gate.ts";
import { applyOne } from "./helpers.ts";

const [path, trialId, startAt, ...userIds] = Deno.args;
if (!path || !trialId || !startAt) {
  throw new Error("usage: apply-worker.ts <kvPath> <trialId> <startAtMs> <userId>...");
}
const kv = await Deno.openKv(path);
const gate = kvTrialGates(kv).get(trialId);
await new Promise((resolve) => setTimeout(resolve, Math.max(0, Number(startAt) - Date.now())));
const startedAt = Date.now();
const results = await Promise.all(userIds.map((userId) => applyOne(gate, userId)));
const finishedAt = Date.now();
kv.close();
console.log(JSON.stringify({ results, startedAt, finishedAt }));
