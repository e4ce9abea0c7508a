/**
 * A process that dies between the KV commit and the Postgres write: it configures a trial's
 * gate, applies for the given members (each decision committed with its outbox events, as
 * the server does) and exits abruptly, before any drain could run. What it leaves behind is
 * exactly what a crash leaves: decisions and their events in KV, nothing in Postgres.
 * Usage: crash-after-commit.ts <kvPath> <termsJson> <userId>...
 */
import type { TrialTerms } from "../../core/first-come/types.ts";
import { kvTrialGates } from "../kv-gate.ts";
import { applyOne } from "./helpers.ts";

const [path, termsJson, ...userIds] = Deno.args;
if (!path || !termsJson) {
  throw new Error("usage: crash-after-commit.ts <kvPath> <termsJson> <userId>...");
}
const kv = await Deno.openKv(path);
// No afterCommit hook: nothing drains; the process "crashes" right after the commits.
const gate = kvTrialGates(kv).get((JSON.parse(termsJson) as TrialTerms).trialId);
const configured = await gate.configure(JSON.parse(termsJson) as TrialTerms);
if (configured.kind === "refused") throw new Error(`configure refused: ${configured.code}`);
const results = await Promise.all(userIds.map((userId) => applyOne(gate, userId)));
console.log(JSON.stringify(results));
Deno.exit(137);
