import type { GateEvent } from "../../../core/first-come/types";
import { connect } from "../../../db/client";
import type { PersistDeps } from "../../../workers/queues/decisions/handler";
import type { IncomingMessage } from "../../../workers/queues/incoming-message";
import { testConfig } from "./db";
import { gateOf } from "./gate";

export type RecordedMessage = IncomingMessage & { state: "ack" | "retry" | null };

export function messageOf(body: unknown, attempts = 1, id = "m0"): RecordedMessage {
  const m: RecordedMessage = {
    id,
    body,
    attempts,
    state: null,
    ack: () => {
      m.state ??= "ack";
    },
    retry: () => {
      m.state ??= "retry";
    },
  };
  return m;
}

/** The consumer's real dependencies, with dead letters and releases recorded on the way. */
export function recordingDeps() {
  const parked: { body: unknown; reason: string }[] = [];
  const released: { trialId: string; applicationId: string; reason: string }[] = [];
  const deps: PersistDeps = {
    connect: () => connect(testConfig().database),
    deadLetter: async (body, reason) => {
      parked.push({ body, reason });
    },
    releasePlace: async (trialId, applicationId, reason) => {
      released.push({ trialId, applicationId, reason });
      await gateOf(trialId).release(applicationId, reason);
    },
  };
  return { deps, parked, released };
}

export function applicationEvents(events: GateEvent[]) {
  return events.flatMap((e) => (e.type === "application" ? [e] : []));
}
