import {
  ADMISSION_HEADER,
  encodeAdmission,
  LIVE_PATH,
} from "../../../core/live-room/admission-header";
import type { LiveRooms, OpenResult } from "../../../core/ports/live-rooms";

/**
 * A trial's live room is its gate's Durable Object (durable-objects/trial-gate/live-room.ts):
 * the decisions are made there, so the messages leave from there with no hop in between.
 * The upgrade is forwarded with the admission the app checked; the object answers 101 with
 * the socket, or its refusal as JSON.
 */
export function durableObjectLiveRooms(namespace: Env["TRIAL_GATE"]): LiveRooms {
  return {
    async open(request, admission): Promise<OpenResult> {
      const stub = namespace.get(namespace.idFromName(admission.trialId));
      // An upgrade request's body does not reach the object, so the admission travels in a
      // header, as base64 of its UTF-8 JSON (the catalog's trial can be ~20 KB of text).
      const forwarded = new Request(new URL(LIVE_PATH, request.url), {
        headers: { upgrade: "websocket", [ADMISSION_HEADER]: encodeAdmission(admission) },
      });
      const response = await stub.fetch(forwarded);
      if (response.status === 101) return { kind: "opened", response };
      return (await response.json()) as OpenResult;
    },
  };
}
