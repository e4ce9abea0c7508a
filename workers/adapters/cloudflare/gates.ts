import type { TrialGate, TrialGates } from "../../../core/ports/trial-gate";
import { withRoundTrip } from "../../lib/simulated-distance";

/** Every verb of the port: each is one call to the object, so each pays the distance. */
const GATE_VERBS = [
  "configure",
  "applyMany",
  "findApplication",
  "withdraw",
  "release",
  "ledger",
  "snapshot",
  "cancel",
  "discard",
  "closedNotice",
  "countRejected",
] as const satisfies readonly (keyof TrialGate)[];

/**
 * A trial's gate is the Durable Object named by the trial id: one network hop per call.
 * `distanceMs` (benchmarks only) adds a simulated round trip to each call.
 */
export function durableObjectGates(
  // The binding's type (from `wrangler types`) names the object class, which only the
  // Cloudflare entry imports (.dependency-cruiser.cjs).
  namespace: Env["TRIAL_GATE"],
  distanceMs = 0,
): TrialGates {
  return {
    get(trialId: string): TrialGate {
      // RPC stubs carry the class's methods; the port is the subset we rely on.
      const stub = namespace.get(namespace.idFromName(trialId)) as unknown as TrialGate;
      return withRoundTrip(stub, distanceMs, GATE_VERBS);
    },
  };
}
