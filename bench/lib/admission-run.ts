import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type pg from "pg";
import { signAccessToken } from "../../workers/auth/tokens";
import type { LoadSpec } from "./admission-load";
import type { LoadSummary } from "./admission-types";
import { jsonFromChild } from "./load";
import { BENCH_JWT_SECRET, type BenchStack, ROOT } from "./stack";

/**
 * What every section of an admission run shares: the stack, the members and the company
 * (straight into Postgres, with their tokens), and the load generator in a child process.
 */

export interface AdmissionRun {
  stack: BenchStack;
  pool: pg.Pool;
  /** A scratch folder for the load specs. */
  tmp: string;
  company: string;
  /** The members that fill a trial (BENCH_SLOTS of them). */
  fill: { ids: string[]; tokens: string[] };
  /** Other members, applying after the trial is full. */
  postFillTokens: string[];
  /** Every member: time-boxed runs may admit more than BENCH_SLOTS. */
  anyone: { ids: string[]; tokens: string[] };
  /** Seconds since the run began, for the progress lines. */
  elapsed(): string;
}

const secret = new TextEncoder().encode(BENCH_JWT_SECRET);

export interface LoadOutput extends LoadSummary {
  /** Indexes (into the tokens given) of the members answered 201. */
  created: number[];
}

export async function createMembers(
  pool: pg.Pool,
  count: number,
): Promise<{ ids: string[]; tokens: string[] }> {
  const ids = Array.from({ length: count }, () => crypto.randomUUID());
  for (let i = 0; i < ids.length; i += 5000) {
    const chunk = ids.slice(i, i + 5000);
    await pool.query(
      `INSERT INTO users (id, email, password_hash, name, role)
       SELECT id, 'bench-' || id || '@tryit.test', 'not-a-hash', 'Bench member', 'MEMBER'
         FROM unnest($1::uuid[]) AS id`,
      [chunk],
    );
  }
  const tokens = await Promise.all(
    ids.map((userId) => signAccessToken({ userId, role: "MEMBER" }, secret, 3600)),
  );
  return { ids, tokens };
}

export async function createCompany(pool: pg.Pool): Promise<string> {
  const id = crypto.randomUUID();
  await pool.query(
    `INSERT INTO users (id, email, password_hash, name, role)
     VALUES ($1::uuid, 'bench-company-' || $1::text || '@tryit.test', 'not-a-hash', 'Bench company', 'COMPANY')`,
    [id],
  );
  return signAccessToken({ userId: id, role: "COMPANY" }, secret, 3600);
}

export function admissionLoad(tmp: string, spec: LoadSpec): Promise<LoadOutput> {
  const file = join(tmp, `spec-${crypto.randomUUID()}.json`);
  writeFileSync(file, JSON.stringify(spec));
  return jsonFromChild<LoadOutput>("admission load", join(ROOT, "node_modules/.bin/tsx"), [
    join(ROOT, "bench/lib/admission-load.ts"),
    file,
  ]).finally(() => rmSync(file, { force: true }));
}

/** The load's figures without the list of members answered 201 (kept out of the raw JSON). */
export function summary(l: LoadOutput): LoadSummary {
  const { created: _created, ...rest } = l;
  return rest;
}
