import { api } from "../client";
import { sql, waitFor } from "../fixtures";

/**
 * What a fingerprint reads of the fuzz world (fuzz-world.ts, which imports this
 * module): the ids of the rows it owns and its trials. Declared here, not imported, so the
 * two modules do not import each other.
 */
interface WorldScope {
  scope: Set<string>;
  trialIds: string[];
}

/**
 * What a refused request must leave as it was: every Postgres row that names one of the
 * world's ids (in any uuid column, of any table, so a table added later is covered), and the
 * live state the gate answers for a world trial the request names.
 *
 * Left out, because they change on their own or by design: derived statistics (rebuilt by
 * cron or by any test's rebuild), stored idempotent answers (an error answer may be kept
 * for its replay), and result messages (their delivery columns change when the sender runs).
 */
const NOT_FINGERPRINTED = new Set([
  "trial_stats",
  "stats_checkpoints",
  "idempotency_keys",
  "notifications",
]);

let tables: Promise<{ table: string; columns: string[] }[]> | null = null;

function uuidColumns() {
  tables ??= sql<{ table: string; columns: string[] }>(
    `SELECT table_name AS table, array_agg(column_name::text ORDER BY column_name) AS columns
       FROM information_schema.columns
      WHERE table_schema = 'public' AND data_type = 'uuid'
      GROUP BY table_name ORDER BY table_name`,
  ).then((rows) => rows.filter((r) => !NOT_FINGERPRINTED.has(r.table)));
  return tables;
}

export interface Fingerprint {
  /** "table:md5 of the row", sorted. */
  rows: string[];
  /** The gate's answer for each world trial the request names. */
  gates: Record<string, string>;
}

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

export async function fingerprint(world: WorldScope, path: string): Promise<Fingerprint> {
  const parts = (await uuidColumns()).map(
    ({ table, columns }) =>
      `SELECT ${`'${table}'`} || ':' || md5(t::text) AS r FROM ${quote(table)} t
        WHERE ${columns.map((c) => `t.${quote(c)} = ANY($1::uuid[])`).join(" OR ")}`,
  );
  const [row] = await sql<{ rows: string[] | null }>(
    `SELECT array_agg(r ORDER BY r) AS rows FROM (${parts.join(" UNION ALL ")}) x`,
    [[...world.scope]],
  );
  const gates: Record<string, string> = {};
  for (const id of world.trialIds.filter((id) => path.toLowerCase().includes(id))) {
    const res = await api("GET", `/v1/trials/${id}`);
    gates[id] = `${res.status} ${JSON.stringify(res.body)}`;
  }
  return { rows: row?.rows ?? [], gates };
}

/** What changed between two fingerprints, in words; empty when nothing did. */
export function changes(before: Fingerprint, after: Fingerprint): string[] {
  const out: string[] = [];
  const gone = before.rows.filter((r) => !after.rows.includes(r));
  const added = after.rows.filter((r) => !before.rows.includes(r));
  if (gone.length > 0 || added.length > 0) {
    const tablesOf = (rows: string[]) => [...new Set(rows.map((r) => r.split(":")[0]))].join(",");
    out.push(
      `rows changed: ${gone.length} gone/changed (${tablesOf(gone)}), ${added.length} new/changed (${tablesOf(added)})`,
    );
  }
  for (const [id, gate] of Object.entries(before.gates)) {
    if (after.gates[id] !== gate) out.push(`gate of trial ${id}: ${gate} -> ${after.gates[id]}`);
  }
  return out;
}

/**
 * Decisions and status changes reach Postgres through queues: after an accepted request,
 * wait until every world trial's rows agree with its gate and, when the request named a
 * world trial, until the world's rows have been quiet for longer than a queue batch waits
 * (1 s), so the next case's fingerprint does not see this case's effects arrive.
 */
export async function settle(world: WorldScope, path: string): Promise<void> {
  await applicationsAgree(world.trialIds);
  if (!world.trialIds.some((id) => path.toLowerCase().includes(id))) return;
  let last = JSON.stringify(await fingerprint(world, ""));
  let quietSince = Date.now();
  const deadline = Date.now() + 15_000;
  while (Date.now() - quietSince < 1_500 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 300));
    const now = JSON.stringify(await fingerprint(world, ""));
    if (now !== last) [last, quietSince] = [now, Date.now()];
  }
}

export async function applicationsAgree(trialIds: string[]): Promise<void> {
  for (const id of trialIds) {
    await waitFor(
      async () => {
        const res = await api("GET", `/v1/trials/${id}`);
        if (res.status !== 200) return true;
        const gate = res.body;
        const [rows] = await sql<{ all: number; won: number; waitlisted: number }>(
          `SELECT count(*)::int AS all,
                  count(*) FILTER (WHERE status = 'WON')::int AS won,
                  count(*) FILTER (WHERE status = 'WAITLISTED')::int AS waitlisted
             FROM applications WHERE trial_id = $1`,
          [id],
        );
        const agree =
          rows?.all === gate.applicants &&
          rows?.won === gate.won &&
          rows?.waitlisted === gate.waitlisted;
        return agree ? true : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 100, what: `trial ${id}'s rows to agree with its gate` },
    );
  }
}
