import { sql, waitFor } from "../fixtures";
import type { Answer } from "./answer-checks";
import type { Operation } from "./openapi-operations";
import type { FuzzRequest } from "./request-arbitraries";
import type { JsonSchema } from "./schema-arbitraries";

/**
 * Property (4): every text field of an accepted create or update reads back as it was sent:
 * in the answer, through the API (the GET of the same resource, when the document has one)
 * and in Postgres (the row of the answer's `id` in the table named after the answer's
 * schema, e.g. Product → products). Plain text fields only: ids, timestamps, e-mails, enums
 * and patterned values are normalised by design. Leading and trailing white space may be
 * trimmed (the API does), and an optional text left empty may be stored as null; nothing
 * else may change.
 */
export interface RoundTripContext {
  operations: Operation[];
  resolve(schema: JsonSchema): JsonSchema;
  /** Sends to one of the target's servers (the read-back asks the other one, if any). */
  send(req: FuzzRequest, server?: number): Promise<Answer>;
}

function sameText(sent: string, got: unknown): boolean {
  return got === sent || got === sent.trim() || (sent.trim() === "" && got === null);
}

const show = (s: unknown) => JSON.stringify(s)?.slice(0, 200);

function plainTextFields(op: Operation, body: unknown, ctx: RoundTripContext) {
  if (!op.body?.schema || body === null || typeof body !== "object" || Array.isArray(body)) {
    return [];
  }
  const properties = ctx.resolve(op.body.schema).properties ?? {};
  return Object.entries(body as Record<string, unknown>).filter(
    (entry): entry is [string, string] => {
      const schema = properties[entry[0]];
      if (typeof entry[1] !== "string" || !schema) return false;
      const variants = (() => {
        const s = ctx.resolve(schema);
        return (s.anyOf ?? s.oneOf ?? [s]).map((v) => ctx.resolve(v));
      })();
      const text = variants.find((v) => v.type === "string");
      return !!text && !text.format && !text.enum && !text.pattern;
    },
  );
}

const snake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

let columns: Promise<Set<string>> | null = null;
function tableColumns() {
  columns ??= sql<{ c: string }>(
    `SELECT table_name || '.' || column_name AS c FROM information_schema.columns
      WHERE table_schema = 'public'`,
  ).then((rows) => new Set(rows.map((r) => r.c)));
  return columns;
}

export async function roundTripProblems(
  op: Operation,
  req: FuzzRequest,
  res: Answer,
  ctx: RoundTripContext,
): Promise<string[]> {
  if (!["POST", "PUT", "PATCH"].includes(op.method) || res.status >= 300) return [];
  // A POST answered 200 handed back what existed (a repeated application), made nothing.
  if (op.method === "POST" && res.status !== 201) return [];
  const fields = plainTextFields(op, req.body?.parsed, ctx);
  const answer = res.body as Record<string, unknown> | null;
  if (fields.length === 0 || !answer || typeof answer !== "object") return [];
  const problems: string[] = [];
  const compare = (where: string, got: Record<string, unknown>, has: (k: string) => boolean) => {
    for (const [key, sent] of fields) {
      if (has(key) && !sameText(sent, got[key])) {
        problems.push(`${key} sent ${show(sent)} reads back ${show(got[key])} ${where}`);
      }
    }
  };
  compare("in the answer", answer, (k) => k in answer);

  const readPath = op.method === "POST" ? `${op.path}/{id}` : op.path.replace(/\{[^}]+\}$/, "{id}");
  const read = ctx.operations.find((o) => o.method === "GET" && o.path === readPath);
  const id = typeof answer.id === "string" ? answer.id : null;
  if (read && id) {
    const again = await ctx.send(
      {
        ...req,
        method: "GET",
        path: op.method === "POST" ? `${req.path}/${id}` : req.path,
        query: "",
        headers: req.headers.authorization ? { authorization: req.headers.authorization } : {},
        body: undefined,
      },
      1,
    );
    if (again.status === 200) {
      const got = again.body as Record<string, unknown>;
      compare(`through GET ${read.path}`, got, (k) => k in got);
    }
  }

  const schemaName = op.responses[String(res.status)]?.schemaName;
  const table = schemaName ? `${snake(schemaName).replace(/^_/, "")}s` : null;
  const known = await tableColumns();
  const stored = fields.filter(([key]) => known.has(`${table}.${snake(key)}`));
  if (table && id && stored.length > 0) {
    const list = stored.map(([key]) => `"${snake(key)}"`).join(", ");
    // Some rows (applications) arrive through a queue: wait for the row, not for a value.
    const row = await waitFor(
      async () => (await sql(`SELECT ${list} FROM "${table}" WHERE id = $1`, [id]))[0],
      { timeoutMs: 15_000, what: `the ${table} row ${id}` },
    );
    for (const [key, sent] of stored) {
      if (!sameText(sent, row[snake(key)])) {
        problems.push(
          `${key} sent ${show(sent)} is stored as ${show(row[snake(key)])} in ${table}`,
        );
      }
    }
  }
  return problems;
}
