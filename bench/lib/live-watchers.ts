// The live bench's public watchers, in a process of their own so that thousands of sockets
// never compete with the members' requests for one event loop (bench/live-room.ts starts it).
//   tsx bench/lib/live-watchers.ts <base> <trialId> <count> <batch>
// Prints "ready" once every watcher has its `hello`; then reads one line on stdin, the final
// applicants count, waits (bounded) until every watcher has seen it, and prints its figures
// as JSON on the last line: for each applicant count k, when the last watcher first saw a
// `counts` with applicants >= k (Date.now, same clock as the server's decidedAt).
import { createInterface } from "node:readline";
import WebSocket from "ws";
import { openTrialRoom, type TrialRoom } from "../../clients/trial-room";

export interface WatchersOutput {
  watchers: number;
  /** Time to open them all, batch by batch, each with its hello. */
  openMs: number;
  /** lastSeenAt[k - 1]: when the last watcher first saw applicants >= k (null: one never did). */
  lastSeenAt: Array<number | null>;
  /** Watchers whose last counts did not show the final applicants count. */
  behind: number;
  /** Counts messages received, over all watchers. */
  countsMessages: number;
  statusMessages: number;
  /** Watchers that lost their socket and reconnected during the run. */
  reconnected: number;
}

const [base, trialId, countArg, batchArg] = process.argv.slice(2);
if (!base || !trialId) throw new Error("usage: live-watchers.ts <base> <trialId> <count> <batch>");
const count = Number(countArg ?? 5000);
const batch = Number(batchArg ?? 200);

/** Per watcher: each counts message's applicants and arrival, in order. */
const seen: Array<Array<[number, number]>> = [];
let statusMessages = 0;

const started = Date.now();
const rooms: TrialRoom[] = [];
for (let start = 0; start < count; start += batch) {
  const size = Math.min(batch, count - start);
  const opened = Array.from({ length: size }, (_, j) => {
    const arrivals: Array<[number, number]> = [];
    seen[start + j] = arrivals;
    return openTrialRoom(base, trialId, {
      WebSocket,
      onMessage(m, at) {
        if (m.type === "counts") arrivals.push([m.applicants, at]);
        else if (m.type === "status") statusMessages++;
      },
    });
  });
  rooms.push(...opened);
  await Promise.all(opened.map((r) => r.ready));
  if (rooms.length % 1000 === 0)
    console.error(`[watchers] ${rooms.length} open (${Date.now() - started} ms)`);
}
const openMs = Date.now() - started;
console.log("ready");

const lines = createInterface({ input: process.stdin });
const finalApplicants = Number(await new Promise<string>((resolve) => lines.once("line", resolve)));
lines.close();

// Bounded: every watcher must show the final count within 30 s, or it counts as behind.
const deadline = Date.now() + 30_000;
await Promise.all(
  rooms.map((r) =>
    r
      .waitFor((m) => m.type === "counts" && m.applicants >= finalApplicants, {
        timeoutMs: Math.max(1, deadline - Date.now()),
      })
      .catch(() => null),
  ),
);

const lastSeenAt: Array<number | null> = Array.from({ length: finalApplicants }, () => 0);
let behind = 0;
for (const arrivals of seen) {
  const last = arrivals.at(-1);
  if (!last || last[0] < finalApplicants) behind++;
  // First arrival showing applicants >= k, for every k: one sweep (applicants only grow).
  let k = 1;
  for (const [applicants, at] of arrivals) {
    for (; k <= Math.min(applicants, finalApplicants); k++) {
      const current = lastSeenAt[k - 1];
      if (current !== null && current !== undefined && at > current) lastSeenAt[k - 1] = at;
    }
  }
  for (; k <= finalApplicants; k++) lastSeenAt[k - 1] = null;
}
const output: WatchersOutput = {
  watchers: rooms.length,
  openMs,
  lastSeenAt,
  behind,
  countsMessages: seen.reduce((n, a) => n + a.length, 0),
  statusMessages,
  reconnected: rooms.filter((r) => r.connections > 1).length,
};
for (const r of rooms) r.close();
await Promise.all(rooms.map((r) => r.ended));
console.log(JSON.stringify(output));
process.exit(0);
