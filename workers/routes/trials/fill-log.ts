import { Hono } from "hono";
import type { AppEnv } from "../../context";
import { readLogPage, readSignedHead } from "../../services/fill-log";
import { IdParam, validate } from "../../validation";
import { LogQuery } from "./schemas";

/**
 * The public fill log (API.md "Receipts and the public fill log"): anyone may read it and
 * check it against the signed head and their receipt, without our code.
 */
export const fillLogRoutes = new Hono<AppEnv>()
  .get("/:id/log", validate("param", IdParam), validate("query", LogQuery), async (c) => {
    const { after, limit } = c.req.valid("query");
    return c.json(await readLogPage(c.var.deps, c.req.valid("param").id, after, limit), 200);
  })
  .get("/:id/log/head", validate("param", IdParam), async (c) => {
    const head = await readSignedHead(c.var.deps, c.req.valid("param").id);
    // Signed for this moment (`at`): a cache would hand out a stale head as a fresh one.
    c.header("Cache-Control", "no-store");
    return c.json(head, 200);
  });
