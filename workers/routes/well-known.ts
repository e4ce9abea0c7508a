import { Hono } from "hono";
import type { AppEnv } from "../context";
import { jwksOf } from "../receipts/receipts";

/** Served at the root, not under /v1: where JWS verifiers look for keys (RFC 8615). */
export const wellKnownRoutes = new Hono<AppEnv>().get("/.well-known/jwks.json", (c) => {
  // Keys change only with a deployment, and a rotation keeps the old ones listed: five
  // minutes of caching lets verifiers share it without missing a new key for long.
  c.header("Cache-Control", "public, max-age=300");
  return c.json(jwksOf(c.var.deps.config.receipts), 200);
});
