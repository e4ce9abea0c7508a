/**
 * Structured JSON log lines: one object per line, so Workers Logs, `wrangler tail` and
 * `deno` output can all be filtered by field. Callers pass facts, never secrets.
 */
type Fields = Record<string, unknown>;

function write(level: "info" | "warn" | "error", event: string, fields: Fields = {}): void {
  const line = JSON.stringify({ level, event, time: new Date().toISOString(), ...fields });
  if (level === "error") console.error(line);
  else if (level === "warn") console.warn(line);
  else console.log(line);
}

export const log = {
  info: (event: string, fields?: Fields) => write("info", event, fields),
  warn: (event: string, fields?: Fields) => write("warn", event, fields),
  error: (event: string, fields?: Fields) => write("error", event, fields),
};

/**
 * An error as a log field. Drizzle puts the query's parameters in its messages (a password
 * hash, a note, an e-mail): they are cut off, the SQL text and the cause's code are kept.
 */
export function describeError(err: unknown): string {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  const withoutParams = text.replace(/\nparams:[\s\S]*$/, "");
  const cause =
    err instanceof Error
      ? (err.cause as { code?: unknown; message?: unknown } | undefined)
      : undefined;
  const causeText =
    cause && typeof cause.message === "string"
      ? ` (cause${typeof cause.code === "string" ? ` ${cause.code}` : ""}: ${cause.message})`
      : "";
  return withoutParams + causeText;
}
