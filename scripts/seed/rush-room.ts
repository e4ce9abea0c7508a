// The hot trial's live room during `npm run seed:rush`: one public watcher prints the room's
// status and counts as they arrive, and a few members, each with their own ticket, print
// their decision the moment the room tells them, then check it against their HTTP answer.
import WebSocket from "ws";
import { openTrialRoom, type TrialRoom } from "../../clients/trial-room";
import type { ApplicationJson } from "../../core/wire/application";
import type { DemoClient } from "./client";

/** Members who watch their own result live (the rest only apply). */
const TICKETED_MEMBERS = 3;

const clock = (at: number) => new Date(at).toISOString().slice(11, 23);

export interface RushRoom {
  /** After the rush: each ticketed member's message against their HTTP answer, and the
   * watcher's last counts against GET /v1/trials/:id; then every socket closes. */
  finish(
    answers: ReadonlyArray<{ status: number; body: { status?: string; seq?: number } }>,
    trial: Record<string, unknown>,
  ): Promise<void>;
}

export async function openRushRoom(
  api: DemoClient,
  trialId: string,
  members: ReadonlyArray<{ email: string; token: string }>,
): Promise<RushRoom> {
  const watcher = openTrialRoom(api.base, trialId, {
    WebSocket,
    onMessage(m, at) {
      if (m.type === "status") {
        console.log(
          `[room] ${clock(at)} status ${m.status}${m.closedReason ? ` (${m.closedReason})` : ""}`,
        );
      } else if (m.type === "counts") {
        console.log(
          `[room] ${clock(at)} counts  won ${m.won} · waitlisted ${m.waitlisted} · remaining ${m.remaining} · applicants ${m.applicants} (${m.status})`,
        );
      }
    },
    onLifecycle(e) {
      if (e.type === "retrying") console.log(`[room] watcher ${e.cause}; again in ${e.inMs} ms`);
    },
  });
  const ticketed = members.slice(0, TICKETED_MEMBERS).map((member, index) => ({
    index,
    member,
    room: openTrialRoom(api.base, trialId, {
      WebSocket,
      // A ticket opens one socket: a reconnection asks for a fresh one.
      ticket: async () => {
        const body = await api.expect<{ ticket: string }>(
          201,
          "POST",
          `/v1/trials/${trialId}/live-tickets`,
          {
            token: member.token,
          },
        );
        return body.ticket;
      },
      onMessage(m, at) {
        if (m.type === "application") {
          console.log(
            `[room] ${clock(at)} ${member.email}: ${describe(m.application)} (told by the room)`,
          );
        }
      },
    }),
  }));
  const hello = await watcher.ready;
  await Promise.all(ticketed.map((t) => t.room.ready));
  console.log(
    `[room] watching trial ${trialId} live: 1 public watcher, ${ticketed.length} members with tickets; status ${hello.trial.status}`,
  );

  return {
    async finish(answers, trial) {
      for (const { index, member, room } of ticketed) {
        const answer = answers[index];
        const decided = answer?.status === 201 ? answer.body.status : undefined;
        const told = await room
          .waitFor((m) => m.type === "application", { timeoutMs: decided ? 5_000 : 500 })
          .then((m) => (m.type === "application" ? m.application : null))
          .catch(() => null);
        const verdict = !decided
          ? told
            ? `the room said ${describe(told)} but HTTP answered ${answer?.status}`
            : `no decision in the room, as HTTP answered ${answer?.status}`
          : told?.status === decided && told.seq === answer?.body.seq
            ? `the room's ${told.status} matches the HTTP answer`
            : `MISMATCH: HTTP ${decided}, room ${told ? describe(told) : "nothing within 5 s"}`;
        console.log(`[room] ${member.email}: ${verdict}`);
      }
      const last = await watcher
        .waitFor(
          (m) => m.type === "counts" && m.applicants === trial.applicants && m.won === trial.won,
          {
            timeoutMs: 5_000,
            description: `counts equal to GET /v1/trials/${trialId}`,
          },
        )
        .then(() => "the watcher's last counts match GET /v1/trials/:id")
        .catch((err: Error) => `the watcher's counts never matched: ${err.message}`);
      console.log(`[room] ${last}`);
      for (const room of [watcher, ...ticketed.map((t) => t.room)] as TrialRoom[]) room.close();
    },
  };
}

function describe(a: ApplicationJson): string {
  return `${a.status} (seq ${a.seq}${a.position === null ? "" : `, position ${a.position}`})`;
}
