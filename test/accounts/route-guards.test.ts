import { describe, expect, it } from "vitest";
import { ROLES, type Role } from "../../core/vocabulary/roles";
import { newApp } from "../../workers/app";
import { pageRouteKeys } from "../../workers/pages";
import { expectGuarded } from "../support/workerd/route-guards";

/**
 * Every route of the app is either public or guarded, and each guarded one is listed with the
 * roles it admits. A route added without an entry here fails the first test, so nobody can
 * ship a route whose guard nobody checked.
 */

const ID = "00000000-0000-4000-8000-000000000001";
/** A second id for routes with two (`:applicationId`). */
const APPLICATION_ID = "00000000-0000-4000-8000-000000000002";
const ANY_ROLE = ROLES;
const COMPANY_OR_ADMIN: Role[] = ["COMPANY", "ADMIN"];

interface GuardedRoute {
  method: string;
  path: string;
  allowed: readonly Role[];
  body?: unknown;
}

const GUARDED: GuardedRoute[] = [
  { method: "POST", path: "/v1/auth/logout", allowed: ANY_ROLE, body: {} },
  { method: "GET", path: "/v1/users/me", allowed: ANY_ROLE },
  { method: "GET", path: "/v1/me/notifications", allowed: ANY_ROLE },
  { method: "GET", path: "/v1/me/strikes", allowed: ["MEMBER"] },
  { method: "POST", path: `/v1/me/strikes/${ID}/appeal`, allowed: ["MEMBER"], body: {} },
  { method: "GET", path: "/v1/admin/appeals", allowed: ["ADMIN"] },
  { method: "POST", path: `/v1/admin/appeals/${ID}`, allowed: ["ADMIN"], body: {} },
  { method: "PATCH", path: "/v1/users/me", allowed: ANY_ROLE, body: {} },
  { method: "PUT", path: "/v1/users/me/password", allowed: ANY_ROLE, body: {} },
  { method: "DELETE", path: "/v1/users/me", allowed: ANY_ROLE },
  { method: "POST", path: "/v1/users/me/slack/verify", allowed: ANY_ROLE, body: {} },
  { method: "GET", path: "/v1/admin/users", allowed: ["ADMIN"] },
  { method: "POST", path: "/v1/admin/stats/rebuild", allowed: ["ADMIN"], body: {} },
  { method: "GET", path: `/v1/stats/trials/${ID}`, allowed: COMPANY_OR_ADMIN },
  { method: "GET", path: `/v1/stats/products/${ID}`, allowed: COMPANY_OR_ADMIN },
  { method: "GET", path: "/v1/stats/companies/me", allowed: ["COMPANY"] },
  { method: "POST", path: "/v1/images", allowed: COMPANY_OR_ADMIN },
  { method: "DELETE", path: `/v1/images/${ID}`, allowed: ANY_ROLE },
  { method: "POST", path: "/v1/products", allowed: COMPANY_OR_ADMIN, body: {} },
  { method: "PATCH", path: `/v1/products/${ID}`, allowed: COMPANY_OR_ADMIN, body: {} },
  { method: "DELETE", path: `/v1/products/${ID}`, allowed: COMPANY_OR_ADMIN },
  { method: "POST", path: "/v1/trials", allowed: COMPANY_OR_ADMIN, body: {} },
  { method: "PATCH", path: `/v1/trials/${ID}`, allowed: COMPANY_OR_ADMIN, body: {} },
  { method: "POST", path: `/v1/trials/${ID}/cancel`, allowed: COMPANY_OR_ADMIN, body: {} },
  { method: "POST", path: `/v1/trials/${ID}/applications`, allowed: ["MEMBER"], body: {} },
  { method: "GET", path: `/v1/trials/${ID}/applications/me`, allowed: ["MEMBER"] },
  { method: "GET", path: `/v1/trials/${ID}/applications/me/receipt`, allowed: ["MEMBER"] },
  {
    method: "POST",
    path: `/v1/trials/${ID}/applications/me/confirm`,
    allowed: ["MEMBER"],
    body: {},
  },
  { method: "DELETE", path: `/v1/trials/${ID}/applications/me`, allowed: ["MEMBER"] },
  { method: "GET", path: "/v1/me/applications", allowed: ["MEMBER"] },
  { method: "GET", path: `/v1/trials/${ID}/applications`, allowed: COMPANY_OR_ADMIN },
  { method: "POST", path: `/v1/trials/${ID}/live-tickets`, allowed: ANY_ROLE },
  { method: "POST", path: `/v1/trials/${ID}/reviews`, allowed: ["MEMBER"], body: {} },
  { method: "GET", path: `/v1/trials/${ID}/reviews/me`, allowed: ["MEMBER"] },
  { method: "PATCH", path: `/v1/reviews/${ID}`, allowed: ["MEMBER", "ADMIN"], body: {} },
  { method: "DELETE", path: `/v1/reviews/${ID}`, allowed: ["MEMBER", "ADMIN"] },
  // Personal data (docs/decisions/0034): the company's winners list, the member's own address,
  // everyone's own access log.
  { method: "GET", path: `/v1/trials/${ID}/winners`, allowed: COMPANY_OR_ADMIN },
  { method: "GET", path: `/v1/trials/${ID}/applications/me/address`, allowed: ["MEMBER"] },
  { method: "GET", path: "/v1/users/me/data-access", allowed: ANY_ROLE },
  // The winner's journey (docs/decisions/0035): shipping is the company's, extending the member's.
  {
    method: "PUT",
    path: `/v1/trials/${ID}/applications/${APPLICATION_ID}/shipment`,
    allowed: COMPANY_OR_ADMIN,
    body: {},
  },
  { method: "POST", path: `/v1/trials/${ID}/shipments`, allowed: COMPANY_OR_ADMIN, body: [] },
  { method: "POST", path: `/v1/trials/${ID}/applications/me/extend`, allowed: ["MEMBER"] },
];

/** Open to anyone (the contract's "anyone" routes and operations). */
const PUBLIC = [
  "GET /healthz",
  "GET /openapi.json",
  "GET /docs",
  "GET /docs/swagger-ui-bundle.js",
  "GET /docs/swagger-ui.css",
  "POST /v1/auth/signup",
  "POST /v1/auth/login",
  "POST /v1/auth/refresh",
  "GET /v1/images/:id",
  "GET /v1/products",
  "GET /v1/products/:id",
  "GET /v1/trials",
  "GET /v1/trials/:id",
  "GET /v1/trials/:id/reviews",
  "GET /v1/products/:id/reviews",
  // Anyone may watch; a ticket (itself from a guarded route) adds one's own application.
  "GET /v1/trials/:id/live",
  // The public fill log and the keys that verify it: anyone may check a trial.
  "GET /.well-known/jwks.json",
  "GET /v1/trials/:id/log",
  "GET /v1/trials/:id/log/head",
];

/**
 * Guarded by a bearer token of its own, not by a role: METRICS_TOKEN on runtimes that serve
 * it (Deno, test/ops/metrics.deno-only.test.ts); on Workers it does not exist (test/ops/metrics).
 */
const OWN_TOKEN = ["GET /metrics"];

/**
 * The pages (workers/pages/): read and write only through /v1 as the session's user, so the
 * guards above are theirs too; .dependency-cruiser.cjs forbids them any other way to data.
 */
const PAGE_ROUTES = pageRouteKeys();

/** The route pattern of a concrete path in the table (ids back to `:id`). */
const pattern = (path: string) =>
  path.replaceAll(ID, ":id").replaceAll(APPLICATION_ID, ":applicationId");

describe("route guards", () => {
  it("classifies every route of the app as guarded or public", () => {
    const app = newApp({
      deps: () => {
        throw new Error("routes are only listed here, never called");
      },
    });
    const actual = new Set(
      app.routes.filter((r) => r.method !== "ALL").map((r) => `${r.method} ${r.path}`),
    );
    const classified = new Set([
      ...GUARDED.map((r) => `${r.method} ${pattern(r.path)}`),
      ...PUBLIC,
      ...OWN_TOKEN,
      ...PAGE_ROUTES,
    ]);
    expect(
      [...actual].filter((r) => !classified.has(r)),
      "routes missing from this file",
    ).toEqual([]);
    expect(
      [...classified].filter((r) => !actual.has(r)),
      "listed routes that do not exist",
    ).toEqual([]);
  });

  for (const route of GUARDED) {
    it(`${route.method} ${pattern(route.path)} admits only ${route.allowed.join(", ")}`, async () => {
      await expectGuarded(route.method, route.path, {
        allowed: route.allowed,
        ...(route.body !== undefined && { body: route.body }),
      });
    });
  }
});
