/**
 * A process that dies in the middle of a batch: it applies for the given members in ONE
 * applyMany call whose commit limits fit two applications per commit, and exits abruptly
 * right after its second commit succeeds, before the call can answer. It prints a line only
 * if the call ever answers (it must not).
 * Usage: crash-mid-batch.ts <kvPath> <trialId> <userId>...
 */

import { MUTATIONS_PER_APPLICATION } from "../kv-batch-cost.ts";
import { COMMIT_OVERHEAD } from "../kv-commit-plan.ts";
import { kvTrialGates } from "../kv-gate.ts";
import { onCommits } from "./helpers.ts";

const [path, trialId, ...userIds] = Deno.args;
if (!path || !trialId) throw new Error("usage: crash-mid-batch.ts <kvPath> <trialId> <userId>...");
const kv = await Deno.openKv(path);

let commits = 0;
const dying = onCommits(kv, () => {
  commits += 1;
  if (commits === 2) Deno.exit(137); // stored, not yet answered
});

const twoPerCommit = {
  mutations: COMMIT_OVERHEAD.mutations + 2 * MUTATIONS_PER_APPLICATION,
  keyBytes: 1_000_000,
  totalBytes: 10_000_000,
};
const gate = kvTrialGates(dying, { commitLimits: twoPerCommit }).get(trialId);
const results = await gate.applyMany(userIds.map((userId) => ({ userId, note: null })));
console.log(JSON.stringify(results));
