import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../context";
import { AppError, type ErrorDetail } from "../errors";

/**
 * Text that Postgres cannot store is refused at the door, whatever field or query parameter
 * carries it (API.md, "Input rules that hold for every route"): U+0000, which Postgres text
 * cannot hold, and lone surrogates (U+D800..U+DFFF unpaired, which JSON's \u escapes can
 * carry), which UTF-8 cannot encode, so the driver would store U+FFFD instead. Otherwise a
 * gate could accept a note that the database refuses or changes later, and a member told
 * WON would lose the place. One check for every route, so no schema can forget it.
 */
const NUL = "\u0000";
const LONE_SURROGATE = /\p{Surrogate}/u;

function unstorableReason(text: string): string | null {
  if (text.includes(NUL)) return "must not contain the character U+0000";
  if (LONE_SURROGATE.test(text)) return "must not contain a lone surrogate (U+D800..U+DFFF)";
  return null;
}

/** Every string, key included, that Postgres cannot store, with its dotted path and why. */
export function unstorableText(value: unknown, path = ""): ErrorDetail[] {
  if (typeof value === "string") {
    const reason = unstorableReason(value);
    return reason ? [{ path, message: reason }] : [];
  }
  if (Array.isArray(value)) {
    return value.flatMap((item, i) => unstorableText(item, join(path, i)));
  }
  if (value !== null && typeof value === "object") {
    return Object.entries(value).flatMap(([key, item]) => {
      const reason = unstorableReason(key);
      return reason
        ? [{ path: join(path, key), message: reason }]
        : unstorableText(item, join(path, key));
    });
  }
  return [];
}

function join(path: string, key: string | number): string {
  return path === "" ? String(key) : `${path}.${key}`;
}

export function refuseUnstorable(where: "body" | "query", details: ErrorDetail[]): void {
  if (details.length === 0) return;
  throw new AppError("VALIDATION_FAILED", `The request ${where} is invalid.`, details);
}

const doorSteps = new WeakSet<object>();

/** Whether a middleware is storableQuery(): the OpenAPI generator declares its 400. */
export const isStorableQuery = (step: unknown): boolean =>
  typeof step === "function" && doorSteps.has(step);

/** Query parameters (search text, filters, cursors) hold no such text either. */
export const storableQuery = () => {
  const step = createMiddleware<AppEnv>(async (c, next) => {
    const query = c.req.queries();
    refuseUnstorable(
      "query",
      unstorableText(query).map((d) => ({ ...d, path: d.path.replace(/\.\d+$/, "") })),
    );
    await next();
  });
  doorSteps.add(step);
  return step;
};
