/**
 * Structured JSON log lines: one object per line, so Workers Logs, `wrangler tail` and
 * `deno` output can all be filtered by field. Callers pass facts, never secrets.
 */
type Fields = Record<string, unknown>;
export type LogLevel = "info" | "warn" | "error";

const RANK: Record<LogLevel, number> = { info: 0, warn: 1, error: 2 };
let threshold: LogLevel = "info";

/** LOG_LEVEL from the configuration; each entry sets it when it parses its config. */
export function setLogLevel(level: LogLevel): void {
  threshold = level;
}

function write(level: LogLevel, event: string, fields: Fields = {}): void {
  if (RANK[level] < RANK[threshold]) return;
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
