import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../context";
import { AppError, type ErrorDetail } from "../errors";

/**
 * Text that Postgres cannot store (U+0000) is refused at the door, whatever field or query
 * parameter carries it (API.md, "Input rules that hold for every route"): otherwise a gate
 * could accept a note that the database refuses later, and a member told WON would lose the
 * place. One check for every route, so no schema can forget it.
 */
export const NUL = "\u0000";

/** Paths (dotted, as validation details are) of every string, key included, holding NUL. */
export function nulPaths(value: unknown, path = ""): string[] {
  if (typeof value === "string") return value.includes(NUL) ? [path] : [];
  if (Array.isArray(value)) return value.flatMap((item, i) => nulPaths(item, join(path, i)));
  if (value !== null && typeof value === "object") {
    return Object.entries(value).flatMap(([key, item]) =>
      key.includes(NUL) ? [join(path, key)] : nulPaths(item, join(path, key)),
    );
  }
  return [];
}

function join(path: string, key: string | number): string {
  return path === "" ? String(key) : `${path}.${key}`;
}

export function refuseNul(where: "body" | "query", paths: string[]): void {
  if (paths.length === 0) return;
  const details: ErrorDetail[] = paths.map((path) => ({
    path,
    message: "must not contain the character U+0000",
  }));
  throw new AppError("VALIDATION_FAILED", `The request ${where} is invalid.`, details);
}

/** Query parameters (search text, filters, cursors) hold no NUL either. */
export const storableQuery = () =>
  createMiddleware<AppEnv>(async (c, next) => {
    const query = c.req.queries();
    refuseNul(
      "query",
      nulPaths(query).map((p) => p.replace(/\.\d+$/, "")),
    );
    await next();
  });
