import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../context";

const SAFE_ID = /^[\w.:-]{1,128}$/;

/** Keeps a caller's x-request-id (when it is sane) so one id follows a request end to end. */
export const requestId = () =>
  createMiddleware<AppEnv>(async (c, next) => {
    const incoming = c.req.header("x-request-id");
    const id = incoming && SAFE_ID.test(incoming) ? incoming : crypto.randomUUID();
    c.set("requestId", id);
    c.header("x-request-id", id);
    await next();
  });
