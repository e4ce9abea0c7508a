import type { TrialGate, TrialGates } from "../../../core/ports/trial-gate";
import type { TrialGate as GateObject } from "../../../durable-objects/trial-gate/trial-gate";

/** A trial's gate is the Durable Object named by the trial id: one network hop per call. */
export function durableObjectGates(namespace: DurableObjectNamespace<GateObject>): TrialGates {
  return {
    get(trialId: string): TrialGate {
      // RPC stubs carry the class's methods; the port is the subset we rely on.
      return namespace.get(namespace.idFromName(trialId)) as unknown as TrialGate;
    },
  };
}
