import { describe, expect, it } from "vitest";
import { generateOpenApi, idempotencyOf } from "../../workers/openapi/generate";
import { mountedRoutes } from "../../workers/openapi/mounted-routes";

/**
 * The class-level guard for Idempotency-Key (docs/decisions/0022): every unsafe operation the
 * API documents declares what it does with a key, as the step right before its handler (so
 * after the route's own authentication), and no answer that carries tokens is ever kept.
 * A route added without the step fails here (and `npm run check` refuses to build the
 * document), instead of silently running a retried request twice.
 */

type Json = Record<string, any>;
const UNSAFE = ["post", "put", "patch", "delete"];
const doc = generateOpenApi() as unknown as Json;
const routes = new Map(mountedRoutes().map((r) => [`${r.method} ${r.path}`, r]));

const unsafeOperations = Object.entries(doc.paths as Json).flatMap(([path, item]) =>
  Object.entries(item as Json)
    .filter(([method]) => UNSAFE.includes(method))
    .map(([method, op]) => ({
      key: `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ":$1")}`,
      op: op as Json,
    })),
);

/** Every property name a schema can answer with, through $refs and combinators. */
function propertyNames(node: unknown, seen = new Set<string>()): string[] {
  if (Array.isArray(node)) return node.flatMap((x) => propertyNames(x, seen));
  if (!node || typeof node !== "object") return [];
  const out: string[] = [];
  for (const [k, x] of Object.entries(node)) {
    if (k === "$ref" && typeof x === "string" && !seen.has(x)) {
      seen.add(x);
      const target = x
        .slice(2)
        .split("/")
        .reduce<any>((n, part) => n?.[part], doc);
      out.push(...propertyNames(target, seen));
    } else if (k === "properties" && x && typeof x === "object") {
      out.push(...Object.keys(x), ...propertyNames(Object.values(x), seen));
    } else out.push(...propertyNames(x, seen));
  }
  return out;
}

/** Tokens, and live-room tickets: credentials, never stored, and a ticket is single use. */
function answersCarryCredentials(op: Json): boolean {
  return Object.entries(op.responses as Json)
    .filter(([status]) => status.startsWith("2"))
    .some(([, r]) => propertyNames(r).some((name) => /token|ticket/i.test(name)));
}

describe("Idempotency-Key on every unsafe operation", () => {
  it("lists the unsafe operations, images included", () => {
    const keys = unsafeOperations.map((o) => o.key);
    expect(keys).toContain("POST /v1/images");
    expect(keys).toContain("DELETE /v1/images/:id");
    expect(keys.length).toBeGreaterThanOrEqual(20);
  });

  it.each(unsafeOperations)("$key declares it right before its handler", ({ key, op }) => {
    const route = routes.get(key);
    expect(route, key).toBeDefined();
    const policy = route && idempotencyOf(route);
    // Answers with credentials are never kept, so a key is refused there; all others replay.
    expect(policy).toBe(answersCarryCredentials(op) ? "refuse" : "replay");
    const header = (op.parameters ?? []).some((p: Json) => p.name === "Idempotency-Key");
    expect(header).toBe(policy === "replay");
    if (policy === "refuse") expect(op.description).toMatch(/Idempotency-Key is refused here/);
  });

  it("refuses keys exactly where answers carry credentials: login, refresh, live tickets", () => {
    const refusing = unsafeOperations
      .filter((o) => answersCarryCredentials(o.op))
      .map((o) => o.key);
    expect(refusing.sort()).toEqual([
      "POST /v1/auth/login",
      "POST /v1/auth/refresh",
      "POST /v1/trials/:id/live-tickets",
    ]);
  });
});
