import pg from "pg";
import { EMPTY_LOG } from "../../core/fill-log/chain";
import type { GateSnapshot } from "../../core/first-come/types";
import { signAccessToken } from "../../workers/auth/tokens";
import type { SnapshotSource } from "../../workers/scheduled/stats/build-trial-stats";
import { poster } from "./bench-api";
import { BENCH_JWT_SECRET } from "./stack";

/**
 * The statistics build benchmark's data (bench/stats-build.ts): trials created through the
 * API, backdated and filled server-side, a stub of their gates, and the check that a build
 * built them.
 */

/** When every seeded trial opened: January, as most of a daily rebuild's trials are old. */
export const OPENS_AT = Date.UTC(2026, 0, 1, 12, 0, 0);
export const REVIEWS_PER_TRIAL = 20;
const COMPANY_ID = "00000000-0000-4000-8000-000000000001";

/** The company, one product and `count` trials through the API: each trial's gate configured. */
export async function createTrials(url: string, base: string, count: number): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(
      `INSERT INTO users (id, email, password_hash, name, role)
       VALUES ($1, 'company@bench.test', 'x', 'Bench', 'COMPANY')`,
      [COMPANY_ID],
    );
  } finally {
    await client.end();
  }
  const secret = new TextEncoder().encode(BENCH_JWT_SECRET);
  const token = await signAccessToken({ userId: COMPANY_ID, role: "COMPANY" }, secret, 3600);
  const post = poster(base, token);
  const product = await post("/v1/products", { name: "Bench product", description: "bench" });
  const ids: string[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < count) {
        const n = ++next;
        const trial = await post("/v1/trials", {
          productId: product.id,
          title: `Trial ${n}`,
          description: "Bench",
          slots: 100,
          waitlistSize: 50,
          opensAt: new Date(Date.now() + 60_000).toISOString(),
          closesAt: new Date(Date.now() + 86_400_000).toISOString(),
        });
        ids.push(trial.id);
      }
    }),
  );
  return ids;
}

/** Every trial gets the same counters: what they are does not change the SQL measured. */
export const stubGates = (applications: number): SnapshotSource => ({
  get: (trialId) => ({
    snapshot: async (): Promise<GateSnapshot> => ({
      trialId,
      status: "CLOSED",
      closedReason: "FULL",
      slots: 100,
      waitlistSize: 50,
      won: 100,
      waitlisted: 50,
      remaining: 0,
      applicants: applications,
      rejected: applications - 150,
      cancelled: 0,
      promoted: 0,
      opensAt: OPENS_AT,
      closesAt: OPENS_AT + 86_400_000,
      filledAt: OPENS_AT + 1_500,
      statusVersion: 2,
      log: EMPTY_LOG,
      ordering: "strict",
      shuffleSeconds: null,
      confirmWithinMinutes: null,
      seedCommitment: null,
      seed: null,
    }),
  }),
});

/**
 * Server-side generation (INSERT … SELECT generate_series): a million rows without a
 * million round trips. The trials (created through the API) are backdated to January and
 * closed full, and every row is dated then (old data, as most of it is in a daily rebuild),
 * so an incremental tick has nothing new to find and the reconciliation nothing to check.
 * Arrivals crowd the opening, as in a real first-come trial: the n-th arrives n²/5 ms after
 * opening (the first hundred within 2 s, the last after 200 s).
 */
export async function seed(url: string, trialIds: string[], applications: number): Promise<number> {
  const started = performance.now();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const opensAt = new Date(OPENS_AT).toISOString();
    await client.query(
      `UPDATE trials SET opens_at = $2::timestamptz, closes_at = $2::timestamptz + interval '1 day',
              status = 'CLOSED', closed_reason = 'FULL', created_at = $2::timestamptz,
              updated_at = $2::timestamptz + interval '1 day'
        WHERE id = ANY($1::uuid[])`,
      [trialIds, opensAt],
    );
    await client.query(`
      INSERT INTO users (id, email, password_hash, name, role)
      SELECT gen_random_uuid(), 'member-' || g || '@bench.test', 'x', 'Member ' || g, 'MEMBER'
        FROM generate_series(1, ${applications}) g;`);
    await client.query(`
      INSERT INTO applications (id, trial_id, user_id, seq, status, position, applied_at,
                                decided_at, version, persisted_at)
      SELECT gen_random_uuid(), t.id, m.id, m.n,
             CASE WHEN m.n <= 100 THEN 'WON' ELSE 'WAITLISTED' END,
             CASE WHEN m.n <= 100 THEN NULL ELSE m.n - 100 END,
             t.opens_at + (m.n * m.n / 5.0) * interval '1 millisecond',
             t.opens_at + (m.n * m.n / 5.0) * interval '1 millisecond', 1,
             t.opens_at + (m.n * m.n / 5.0) * interval '1 millisecond'
        FROM trials t
       CROSS JOIN (SELECT id, row_number() OVER (ORDER BY id)::int AS n
                     FROM users WHERE role = 'MEMBER') m`);
    await client.query(`
      INSERT INTO reviews (id, trial_id, product_id, user_id, application_id, rating, title, body,
                           created_at, updated_at)
      SELECT gen_random_uuid(), a.trial_id, t.product_id, a.user_id, a.id,
             1 + (a.seq % 5), 'Review', 'Bench review',
             a.applied_at + interval '2 days', a.applied_at + interval '2 days'
        FROM applications a JOIN trials t ON t.id = a.trial_id WHERE a.seq <= ${REVIEWS_PER_TRIAL};
      ANALYZE;`);
  } finally {
    await client.end();
  }
  return Math.round(performance.now() - started);
}

/** A benchmark that measured a build which did nothing would be worse than none. */
export async function checkBuilt(url: string, trials: number): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number; minutes: number; peak: number }>(
      `SELECT count(*)::int AS n, min(jsonb_array_length(per_minute))::int AS minutes,
              min(peak_per_second)::int AS peak FROM trial_stats`,
    );
    const row = rows[0];
    if (!row || row.n !== trials || row.minutes < 1 || row.peak < 1) {
      throw new Error(`the rebuild did not build every trial: ${JSON.stringify(row)}`);
    }
  } finally {
    await client.end();
  }
}
