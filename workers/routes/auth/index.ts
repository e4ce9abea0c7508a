import { Hono } from "hono";
import type { AppEnv } from "../../context";
import { presentUser } from "../../presenters";
import { logIn, signUp } from "../../services/accounts";
import { validate } from "../../validation";
import { LogInBody, SignUpBody } from "./schemas";

export const authRoutes = new Hono<AppEnv>()
  .post("/signup", validate("json", SignUpBody), async (c) => {
    const body = c.req.valid("json");
    const { config, db } = c.var.deps;
    const user = await signUp(await db.db(), config, {
      ...body,
      slackId: body.slackId ?? undefined,
    });
    return c.json(presentUser(user), 201);
  })
  .post("/login", validate("json", LogInBody), async (c) => {
    const { config, db } = c.var.deps;
    return c.json(await logIn(await db.db(), config, c.req.valid("json")), 200);
  });
