// What the admission benchmark checks after every run, whatever it measured: the gate and
// Postgres agree on exactly who got a place, and nothing was over-admitted or lost.
//   A fill run (a trial of N places, N members): exactly N WON, CLOSED/FULL.
//   A time-boxed run (a trial larger than what gets admitted): k applicants at the gate,
//   WON = min(k, places).
//   Both: k rows in Postgres, seqs gapless 1..k, one place per member, and every member
//   answered 201 is among those rows.
import type pg from "pg";

export interface Invariants {
  /** Applications the gate holds (its applicants), once it stopped admitting. */
  admitted: number;
  won: number;
  distinctMembers: number;
  maxSeq: number;
  persisted: number | null;
  /** Members answered 201 during the run, and how many of them Postgres holds. */
  created: number;
  createdPersisted: number;
  ok: boolean;
  problems: string[];
}

export interface GateView {
  won: number;
  applicants: number;
  status: string;
  closedReason: string | null;
}

/** The trial as the API shows it: counters from its gate. */
export async function readGate(base: string, trialId: string): Promise<GateView> {
  const res = await fetch(`${base}/v1/trials/${trialId}`);
  if (res.status !== 200) throw new Error(`GET /v1/trials/${trialId}: ${res.status}`);
  return (await res.json()) as GateView;
}

/**
 * Until the gate stops admitting (its applicant count unchanged for `quietMs`) or
 * `timeoutMs` pass: requests cut off by the load generator's end may still be deciding.
 * Answers the last view and whether it settled.
 */
export async function waitForGateToSettle(
  base: string,
  trialId: string,
  { quietMs = 2000, timeoutMs = 20_000 } = {},
): Promise<{ gate: GateView; settled: boolean }> {
  const deadline = Date.now() + timeoutMs;
  let gate = await readGate(base, trialId);
  let quietSince = Date.now();
  while (Date.now() < deadline) {
    await sleep(250);
    const now = await readGate(base, trialId);
    if (now.applicants !== gate.applicants) quietSince = Date.now();
    gate = now;
    if (Date.now() - quietSince >= quietMs) return { gate, settled: true };
  }
  return { gate, settled: false };
}

/** Until Postgres holds `expected` applications of the trial (or `timeoutMs` pass). */
export async function waitForDrain(
  pool: pg.Pool,
  trialId: string,
  expected: number,
  timeoutMs = 120_000,
): Promise<{
  persisted: number;
  ms: number | null;
  perSecond: number | null;
  lagMs: number | null;
}> {
  const loadEnded = Date.now();
  const deadline = loadEnded + timeoutMs;
  for (;;) {
    const { rows } = await pool.query<{ n: string; first: Date | null; last: Date | null }>(
      `SELECT count(*) AS n, min(persisted_at) AS first, max(persisted_at) AS last
         FROM applications WHERE trial_id = $1`,
      [trialId],
    );
    const row = rows[0];
    const n = Number(row?.n ?? 0);
    if (n >= expected && row?.first && row.last) {
      const ms = row.last.getTime() - row.first.getTime();
      return {
        persisted: n,
        ms,
        perSecond: ms > 0 ? Math.round((n / ms) * 1000) : null,
        lagMs: Math.max(0, row.last.getTime() - loadEnded),
      };
    }
    if (n >= expected) return { persisted: n, ms: null, perSecond: null, lagMs: null };
    if (Date.now() > deadline) return { persisted: n, ms: null, perSecond: null, lagMs: null };
    await sleep(200);
  }
}

/**
 * The invariants of one run of ours. `gate` is the settled view of the trial; `memberIds`
 * maps the load generator's member indexes (its `created` list) to user ids.
 */
export async function checkOurs(
  pool: pg.Pool | pg.Client,
  trialId: string,
  opts: {
    slots: number;
    /** A fill run: every place must be taken. */
    fill: boolean;
    gate: GateView;
    persisted: number | null;
    createdIds: string[];
    /** Extra problems found on the way (a gate that never settled, …). */
    problems?: string[];
  },
): Promise<Invariants> {
  const problems = [...(opts.problems ?? [])];
  const k = opts.gate.applicants;
  const expectWon = Math.min(k, opts.slots);
  if (opts.fill) {
    if (k !== opts.slots) problems.push(`gate holds ${k} applications, not ${opts.slots}`);
    if (opts.gate.status !== "CLOSED" || opts.gate.closedReason !== "FULL")
      problems.push(`status ${opts.gate.status}/${opts.gate.closedReason}`);
  }
  if (opts.gate.won !== expectWon)
    problems.push(`gate says ${opts.gate.won} WON, not ${expectWon}`);
  const { rows } = await pool.query<{
    n: string;
    won: string;
    members: string;
    max_seq: number | null;
    seqs: string;
  }>(
    `SELECT count(*) AS n, count(*) FILTER (WHERE status = 'WON') AS won,
            count(DISTINCT user_id) AS members, max(seq) AS max_seq, count(DISTINCT seq) AS seqs
       FROM applications WHERE trial_id = $1`,
    [trialId],
  );
  const r = rows[0];
  const persisted = Number(r?.n ?? 0);
  const won = Number(r?.won ?? 0);
  const distinctMembers = Number(r?.members ?? 0);
  const maxSeq = Number(r?.max_seq ?? 0);
  if (persisted !== k) problems.push(`${persisted} rows in Postgres for ${k} at the gate`);
  if (won !== expectWon) problems.push(`${won} WON in Postgres, not ${expectWon}`);
  if (distinctMembers !== persisted)
    problems.push(`${distinctMembers} distinct members in ${persisted} rows`);
  if (maxSeq !== k || Number(r?.seqs) !== k)
    problems.push(`seqs not gapless 1..${k} (max ${maxSeq})`);
  const createdIds = [...new Set(opts.createdIds)];
  if (createdIds.length !== opts.createdIds.length)
    problems.push(`${opts.createdIds.length - createdIds.length} members answered 201 twice`);
  let createdPersisted = 0;
  for (let i = 0; i < createdIds.length; i += 5000) {
    const chunk = createdIds.slice(i, i + 5000);
    const found = await pool.query<{ n: string }>(
      "SELECT count(*) AS n FROM applications WHERE trial_id = $1 AND user_id = ANY($2::uuid[])",
      [trialId, chunk],
    );
    createdPersisted += Number(found.rows[0]?.n ?? 0);
  }
  if (createdPersisted !== createdIds.length)
    problems.push(
      `${createdIds.length - createdPersisted} members answered 201 are not in Postgres`,
    );
  if (createdIds.length > k) problems.push(`${createdIds.length} answered 201 but ${k} admitted`);
  return {
    admitted: k,
    won,
    distinctMembers,
    maxSeq,
    persisted: opts.persisted ?? persisted,
    created: createdIds.length,
    createdPersisted,
    ok: problems.length === 0,
    problems,
  };
}

/** The peers keep their own tables and keys; they report the same facts about a trial. */
export async function checkPeer(base: string, trialId: string, slots: number): Promise<Invariants> {
  const s = (await fetch(`${base}/peer/trials/${trialId}`).then((r) => r.json())) as {
    taken: number;
    applications: number;
    distinctUsers: number;
    maxSeq: number;
  };
  const problems: string[] = [];
  if (s.taken !== slots || s.applications !== slots)
    problems.push(`taken ${s.taken}, rows ${s.applications}`);
  if (s.distinctUsers !== slots) problems.push(`${s.distinctUsers} distinct members`);
  if (s.maxSeq !== slots) problems.push(`max seq ${s.maxSeq}`);
  return {
    admitted: s.applications,
    won: s.applications,
    distinctMembers: s.distinctUsers,
    maxSeq: s.maxSeq,
    persisted: null,
    created: 0,
    createdPersisted: 0,
    ok: problems.length === 0,
    problems,
  };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
