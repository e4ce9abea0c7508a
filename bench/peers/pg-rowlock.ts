// Benchmark peer: first-come admission "the Postgres row lock way". Every applicant's
// transaction takes the trial's row with a conditional UPDATE, so admissions to one trial
// run one after another for as long as a transaction holds that row (the UPDATE, the INSERT
// and the COMMIT round trips). Run: PORT=… DATABASE_URL=… JWT_SECRET=… tsx bench/peers/pg-rowlock.ts
import pg from "pg";
import {
  type ApplyOutcome,
  type PeerAdmission,
  type PeerApplication,
  positiveIntEnv,
  requireEnv,
  servePeer,
} from "./http";

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS peer_trials (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slots integer NOT NULL CHECK (slots > 0),
    taken integer NOT NULL DEFAULT 0 CHECK (taken >= 0 AND taken <= slots)
  );
  CREATE TABLE IF NOT EXISTS peer_applications (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    trial_id uuid NOT NULL REFERENCES peer_trials (id),
    user_id uuid NOT NULL,
    seq integer NOT NULL,
    status text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (trial_id, user_id)
  );`;

const FIND_APPLICATION = `
  SELECT id, seq FROM peer_applications WHERE trial_id = $1 AND user_id = $2`;

// The row lock. One round trip also says whether the trial exists, so an unknown id is a
// 404 rather than a 409 that would hide a harness mistake behind "closed" (only an empty
// UPDATE pays for the EXISTS lookup's answer being used).
const TAKE_PLACE = `
  WITH took AS (
    UPDATE peer_trials SET taken = taken + 1 WHERE id = $1 AND taken < slots RETURNING taken
  )
  SELECT (SELECT taken FROM took) AS taken,
         EXISTS (SELECT 1 FROM peer_trials WHERE id = $1) AS found`;

const INSERT_APPLICATION = `
  INSERT INTO peer_applications (trial_id, user_id, seq, status) VALUES ($1, $2, $3, 'WON')
  RETURNING id`;

const TRIAL_STATE = `
  SELECT t.slots, t.taken,
         count(a.id)::int AS "applications",
         count(DISTINCT a.user_id)::int AS "distinctUsers",
         count(DISTINCT a.seq)::int AS "distinctSeqs",
         coalesce(max(a.seq), 0)::int AS "maxSeq"
  FROM peer_trials t LEFT JOIN peer_applications a ON a.trial_id = t.id
  WHERE t.id = $1
  GROUP BY t.id`;

const UNIQUE_VIOLATION = "23505";

function pgAdmission(pool: pg.Pool): PeerAdmission {
  const application = (
    trialId: string,
    userId: string,
    row: { id: string; seq: number },
  ): PeerApplication => ({ id: row.id, trialId, userId, seq: row.seq, status: "WON" });

  return {
    async apply(trialId, userId): Promise<ApplyOutcome> {
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        await client.query("BEGIN");
        const before = await client.query<{ id: string; seq: number }>(FIND_APPLICATION, [
          trialId,
          userId,
        ]);
        if (before.rows[0]) {
          await client.query("COMMIT");
          return { kind: "repeat", application: application(trialId, userId, before.rows[0]) };
        }
        const place = await client.query<{ taken: number | null; found: boolean }>(TAKE_PLACE, [
          trialId,
        ]);
        const taken = place.rows[0]?.taken ?? null;
        if (taken === null) {
          await client.query("ROLLBACK");
          return { kind: place.rows[0]?.found ? "full" : "unknown-trial" };
        }
        try {
          const inserted = await client.query<{ id: string }>(INSERT_APPLICATION, [
            trialId,
            userId,
            taken,
          ]);
          await client.query("COMMIT");
          const id = inserted.rows[0]?.id ?? "";
          return {
            kind: "admitted",
            application: application(trialId, userId, { id, seq: taken }),
          };
        } catch (err) {
          if ((err as { code?: string }).code !== UNIQUE_VIOLATION) throw err;
          // The same member's concurrent request committed first: give the place back (the
          // rollback undoes our UPDATE) and answer with that application.
          await client.query("ROLLBACK");
          const existing = await client.query<{ id: string; seq: number }>(FIND_APPLICATION, [
            trialId,
            userId,
          ]);
          if (!existing.rows[0]) throw new Error("unique violation without the conflicting row");
          return { kind: "repeat", application: application(trialId, userId, existing.rows[0]) };
        }
      } catch (err) {
        // A failed ROLLBACK means the connection is unusable: release(err) discards it.
        await client.query("ROLLBACK").catch((rollbackErr: Error) => {
          broken = rollbackErr;
        });
        throw err;
      } finally {
        client.release(broken);
      }
    },

    async createTrial(slots) {
      const { rows } = await pool.query<{ id: string }>(
        "INSERT INTO peer_trials (slots) VALUES ($1) RETURNING id",
        [slots],
      );
      const id = rows[0]?.id;
      if (!id) throw new Error("INSERT … RETURNING returned no row");
      return id;
    },

    async trialState(trialId) {
      const { rows } = await pool.query<Record<string, number>>(TRIAL_STATE, [trialId]);
      return rows[0] ?? null;
    },

    close: () => pool.end(),
  };
}

const port = positiveIntEnv("PORT", 8991);
const poolSize = positiveIntEnv("PEER_POOL_SIZE", 20);
const pool = new pg.Pool({
  connectionString: requireEnv("DATABASE_URL"),
  max: poolSize,
  // Keep connections between load phases: a reconnect is not part of admitting someone.
  idleTimeoutMillis: 0,
});
pool.on("error", (err) => console.error("[pg-rowlock] idle client error:", err.message));

await pool.query(SCHEMA);
// Open the whole pool now, so the first second of a run does not measure connection setup.
const warm = await Promise.all(Array.from({ length: poolSize }, () => pool.connect()));
for (const client of warm) client.release();

await servePeer("pg-rowlock", port, requireEnv("JWT_SECRET"), pgAdmission(pool));
