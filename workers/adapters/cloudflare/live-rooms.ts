import type { LiveRooms, OpenResult } from "../../../core/ports/live-rooms";

/**
 * A trial's live room is its gate's Durable Object (durable-objects/trial-gate/live-room.ts):
 * the decisions are made there, so the messages leave from there with no hop in between.
 * The upgrade is forwarded as a POST carrying the admission the app checked (the catalog's
 * trial can be a few kilobytes: too much for a header); the object answers 101 with the
 * socket, or its refusal as JSON.
 */
export function durableObjectLiveRooms(namespace: Env["TRIAL_GATE"]): LiveRooms {
  return {
    async open(request, admission): Promise<OpenResult> {
      const stub = namespace.get(namespace.idFromName(admission.trialId));
      const forwarded = new Request(new URL("/live", request.url), {
        method: "POST",
        headers: { upgrade: "websocket", "content-type": "application/json" },
        body: JSON.stringify(admission),
      });
      const response = await stub.fetch(forwarded);
      if (response.status === 101) return { kind: "opened", response };
      return (await response.json()) as OpenResult;
    },
  };
}
