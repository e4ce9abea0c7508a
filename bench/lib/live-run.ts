// One runtime's run of the live bench: a trial, WATCHERS public watchers (in a child
// process), every applying member with a ticketed socket of their own, the rush, and what
// each socket saw against what each HTTP answer said.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import WebSocket from "ws";
import { openTrialRoom, type TrialRoom } from "../../clients/trial-room";
import { poster } from "./bench-api";
import { type ServerMemory, type Spread, serverMemory, spread } from "./live-figures";
import type { WatchersOutput } from "./live-watchers";
import { ROOT } from "./stack";

export interface LiveSettings {
  watchers: number;
  members: number;
  slots: number;
  waitlist: number;
  batch: number;
}

export interface LiveRunResult {
  runtime: string;
  settings: LiveSettings;
  answers: { won: number; waitlisted: number; refused: number; other: number };
  rushMs: number;
  /** Ticketed member's `application` message, from the gate's decidedAt and from the HTTP answer's arrival. */
  applicationFromDecidedAt: Spread | null;
  applicationFromHttpAnswer: Spread | null;
  /** Members answered 201 whose socket told them nothing, twice, or something else. */
  applicationMissing: number;
  applicationDuplicated: number;
  applicationMismatched: number;
  /** For each admitted decision: the last of the public watchers to see it in a `counts`. */
  lastWatcherCounts: Spread | null;
  watchers: Omit<WatchersOutput, "lastSeenAt">;
  memory: {
    idle: ServerMemory | null;
    socketsOpen: ServerMemory | null;
    afterRush: ServerMemory | null;
  };
  /** Time to open the members' ticketed sockets (each: POST a ticket, then the upgrade). */
  membersOpenMs: number;
}

/** A run the server could not finish: why, what it said, its memory at that moment. */
export interface LiveFailure {
  runtime: string;
  settings: LiveSettings;
  failure: string;
  /** Server output lines naming a resource it ran out of, by kind. */
  serverErrors: Record<string, number>;
  memory: ServerMemory | null;
}

interface HttpAnswer {
  status: number;
  at: number;
  body: { status?: string; seq?: number; decidedAt?: string };
}

export async function liveRun(
  runtime: string,
  base: string,
  port: number,
  company: string,
  tokens: string[],
  settings: LiveSettings,
  log: (line: string) => void,
): Promise<LiveRunResult> {
  const post = poster(base, company);
  const product = await post("/v1/products", { name: "Live bench product", description: "bench" });
  const trial = await post("/v1/trials", {
    productId: product.id,
    title: "Live bench trial",
    description: "bench",
    slots: settings.slots,
    waitlistSize: settings.waitlist,
    opensAt: new Date(Date.now() - 1000).toISOString(),
    closesAt: new Date(Date.now() + 3_600_000).toISOString(),
  });
  const memoryIdle = serverMemory(port);

  log(`${runtime}: opening ${settings.watchers} public watchers…`);
  const watchers = startWatchers(base, trial.id, settings);
  await watchers.ready;

  log(`${runtime}: opening ${tokens.length} members' ticketed sockets…`);
  const memberStarted = Date.now();
  const told: Array<Array<{ at: number; status: string; seq: number }>> = tokens.map(() => []);
  const rooms: TrialRoom[] = [];
  try {
    for (let start = 0; start < tokens.length; start += settings.batch) {
      const opened = tokens.slice(start, start + settings.batch).map((token, j) =>
        openTrialRoom(base, trial.id, {
          WebSocket,
          ticket: () => ticket(base, trial.id, token),
          onMessage(m, at) {
            if (m.type === "application") {
              told[start + j]?.push({ at, status: m.application.status, seq: m.application.seq });
            }
          },
        }),
      );
      rooms.push(...opened);
      await Promise.all(opened.map((r) => r.ready));
    }
    const membersOpenMs = Date.now() - memberStarted;
    const memorySocketsOpen = serverMemory(port);

    log(`${runtime}: ${tokens.length} members apply at once…`);
    const rushStarted = Date.now();
    const answers = await Promise.all(tokens.map((token) => apply(base, trial.id, token)));
    const rushMs = Date.now() - rushStarted;
    const final = (await (await fetch(`${base}/v1/trials/${trial.id}`)).json()) as {
      applicants: number;
    };
    // Every member answered 201 must be told once; give the last ones a bounded moment.
    await Promise.all(
      rooms.map((room, i) =>
        answers[i]?.status === 201
          ? room.waitFor((m) => m.type === "application", { timeoutMs: 10_000 }).catch(() => null)
          : null,
      ),
    );
    // Every socket still open: the watchers close theirs once they have the final count.
    const memoryAfterRush = serverMemory(port);
    const seen = await watchers.finish(final.applicants);

    const fromDecidedAt: number[] = [];
    const fromHttp: number[] = [];
    const lastWatcher: number[] = [];
    let missing = 0;
    let duplicated = 0;
    let mismatched = 0;
    answers.forEach((answer, i) => {
      if (answer.status !== 201) return;
      const messages = told[i] ?? [];
      const first = messages[0];
      const decidedAt = Date.parse(answer.body.decidedAt ?? "");
      if (!first) missing++;
      else {
        if (messages.length > 1) duplicated++;
        if (first.status !== answer.body.status || first.seq !== answer.body.seq) mismatched++;
        fromDecidedAt.push(first.at - decidedAt);
        fromHttp.push(first.at - answer.at);
      }
      const k = answer.body.seq ?? 0;
      const seenAt = seen.lastSeenAt[k - 1];
      if (seenAt !== null && seenAt !== undefined) lastWatcher.push(seenAt - decidedAt);
    });
    const count = (pick: (a: HttpAnswer) => boolean) => answers.filter(pick).length;
    const { lastSeenAt: _all, ...watcherFigures } = seen;
    return {
      runtime,
      settings,
      answers: {
        won: count((a) => a.status === 201 && a.body.status === "WON"),
        waitlisted: count((a) => a.status === 201 && a.body.status === "WAITLISTED"),
        refused: count((a) => a.status === 409),
        other: count((a) => a.status !== 201 && a.status !== 409),
      },
      rushMs,
      applicationFromDecidedAt: spread(fromDecidedAt),
      applicationFromHttpAnswer: spread(fromHttp),
      applicationMissing: missing,
      applicationDuplicated: duplicated,
      applicationMismatched: mismatched,
      lastWatcherCounts: spread(lastWatcher),
      watchers: watcherFigures,
      memory: { idle: memoryIdle, socketsOpen: memorySocketsOpen, afterRush: memoryAfterRush },
      membersOpenMs,
    };
  } catch (err) {
    // The server's state at the failure, before the sockets still open are closed.
    throw new LiveRunError(err, serverMemory(port, memoryIdle?.group));
  } finally {
    for (const room of rooms) room.close();
    await Promise.all(rooms.map((r) => r.ended));
    watchers.kill();
  }
}

export class LiveRunError extends Error {
  constructor(
    cause: unknown,
    readonly memory: ServerMemory | null,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

async function ticket(base: string, trialId: string, token: string): Promise<string> {
  const res = await fetch(`${base}/v1/trials/${trialId}/live-tickets`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}` },
  });
  if (res.status !== 201) throw new Error(`live ticket: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { ticket: string }).ticket;
}

async function apply(base: string, trialId: string, token: string): Promise<HttpAnswer> {
  try {
    const res = await fetch(`${base}/v1/trials/${trialId}/applications`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: "{}",
    });
    const body = (await res.json().catch(() => ({}))) as HttpAnswer["body"];
    return { status: res.status, at: Date.now(), body };
  } catch {
    return { status: 0, at: Date.now(), body: {} };
  }
}

/** The watchers' child process: ready once all are open; finish() hands it the final count. */
function startWatchers(base: string, trialId: string, settings: LiveSettings) {
  const child = spawn(
    join(ROOT, "node_modules/.bin/tsx"),
    [
      join(ROOT, "bench/lib/live-watchers.ts"),
      base,
      trialId,
      String(settings.watchers),
      String(settings.batch),
    ],
    { stdio: ["pipe", "pipe", "pipe"] },
  );
  let opened = 0;
  createInterface({ input: child.stderr }).on("line", (line) => {
    const progress = /^\[watchers\] (\d+) open/.exec(line);
    if (progress) opened = Number(progress[1]);
    if (!progress || opened % 1000 === 0) console.error(line);
  });
  const lines = createInterface({ input: child.stdout });
  const exited = new Promise<number | null>((resolve) => child.once("close", resolve));
  const failed = exited.then((code) => {
    throw new Error(`the watchers' process exited (${code}) with ${opened} watchers open`);
  });
  const ready = Promise.race([
    new Promise<void>((resolve) => lines.on("line", (l) => l === "ready" && resolve())),
    failed,
  ]);
  let last = "";
  lines.on("line", (l) => {
    last = l;
  });
  return {
    ready,
    async finish(applicants: number): Promise<WatchersOutput> {
      child.stdin.write(`${applicants}\n`);
      const code = await exited;
      if (code !== 0) throw new Error(`the watchers' process exited with ${code}`);
      return JSON.parse(last) as WatchersOutput;
    },
    kill: () => child.exitCode === null && child.kill(),
  };
}
