// The decisions consumer's capacity, apart from admission: how many applications per second
// `persistDecisions` (the code the queue runs, and the Deno drain) writes into Postgres when
// a backlog waits, in the queue's batches of 100, through the production driver (Neon
// WebSocket client → the local proxy → Postgres), notifications rows included.
import { neonConfig } from "@neondatabase/serverless";
import type pg from "pg";
import WebSocket from "ws";
import type { GateEvent } from "../../core/first-come/types";
import { connect } from "../../db/client";
import { wonDecision } from "../../test/support/shared/decisions";
import { enqueueNotifications } from "../../workers/notifications/enqueue";
import { persistDecisions } from "../../workers/queues/decisions/handler";
import type { IncomingMessage } from "../../workers/queues/incoming-message";

export interface DrainCapacity {
  applications: number;
  batchSize: number;
  concurrency: number;
  ms: number;
  perSecond: number;
}

/** wrangler.toml's decisions queue: max_batch_size = 100. */
const BATCH = 100;

export async function measureConsumerDrain(
  pool: pg.Pool,
  database: { url: string; wsProxy: string },
  memberIds: string[],
  concurrency: number,
): Promise<DrainCapacity> {
  // Node 20 has no global WebSocket; the Workers runtime and Deno do.
  neonConfig.webSocketConstructor = WebSocket;
  const trialId = crypto.randomUUID();
  await insertTrial(pool, trialId, memberIds.length);
  const now = Date.now();
  const events: GateEvent[] = memberIds.map((userId, i) =>
    wonDecision(trialId, userId, i + 1, now),
  );
  const batches: GateEvent[][] = [];
  for (let i = 0; i < events.length; i += BATCH) batches.push(events.slice(i, i + BATCH));

  let acked = 0;
  const deps = {
    connect: () => connect(database),
    afterApplicationsWritten: async (
      conn: Awaited<ReturnType<typeof connect>>,
      written: GateEvent[],
    ) => {
      await enqueueNotifications(conn, { sendBatch: async () => undefined }, written);
    },
    deadLetter: async () => {
      throw new Error("nothing should be dead-lettered in the bench");
    },
    releasePlace: async () => {
      throw new Error("nothing should be released in the bench");
    },
  };
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let b = next++; b < batches.length; b = next++) {
        const messages: IncomingMessage[] = (batches[b] ?? []).map((body) => ({
          id: body.eventId,
          body,
          attempts: 1,
          ack: () => {
            acked++;
          },
          retry: () => {
            throw new Error("a batch was retried in the bench");
          },
        }));
        await persistDecisions(messages, deps);
      }
    }),
  );
  const ms = performance.now() - started;
  if (acked !== events.length) throw new Error(`${acked} of ${events.length} events acked`);
  const { rows } = await pool.query<{ n: string }>(
    "SELECT count(*) AS n FROM applications WHERE trial_id = $1",
    [trialId],
  );
  if (Number(rows[0]?.n) !== events.length) throw new Error(`${rows[0]?.n} rows persisted`);
  return {
    applications: events.length,
    batchSize: BATCH,
    concurrency,
    ms: Math.round(ms),
    perSecond: Math.round((events.length / ms) * 1000),
  };
}

async function insertTrial(pool: pg.Pool, trialId: string, slots: number): Promise<void> {
  const company = crypto.randomUUID();
  const product = crypto.randomUUID();
  await pool.query(
    `INSERT INTO users (id, email, password_hash, name, role)
     VALUES ($1::uuid, 'drain-' || $1::text || '@tryit.test', 'not-a-hash', 'Drain bench', 'COMPANY')`,
    [company],
  );
  await pool.query(
    "INSERT INTO products (id, company_id, name, description) VALUES ($1, $2, 'Drain bench', 'bench')",
    [product, company],
  );
  await pool.query(
    `INSERT INTO trials (id, product_id, company_id, title, description, slots, waitlist_size, opens_at, closes_at, status)
     VALUES ($1, $2, $3, 'Drain bench', 'bench', $4, 0, now() - interval '1 minute', now() + interval '1 hour', 'OPEN')`,
    [trialId, product, company, slots],
  );
}
