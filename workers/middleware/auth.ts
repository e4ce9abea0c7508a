import { createMiddleware } from "hono/factory";
import type { Role } from "../auth/roles";
import { verifyAccessToken } from "../auth/tokens";
import type { AppEnv } from "../context";
import { AppError } from "../errors";

const BEARER = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/;

/** 401 unless the request carries a valid access token; sets `caller`. */
export const requireAuth = () =>
  createMiddleware<AppEnv>(async (c, next) => {
    const header = c.req.header("authorization");
    const match = header ? BEARER.exec(header) : null;
    if (!match?.[1]) {
      throw new AppError("UNAUTHORIZED", "A bearer access token is required.");
    }
    const result = await verifyAccessToken(match[1], c.var.deps.config.jwtSecret);
    if (!result.ok) {
      throw result.reason === "expired"
        ? new AppError("TOKEN_EXPIRED", "The access token has expired; refresh it.")
        : new AppError("UNAUTHORIZED", "The access token is not valid.");
    }
    c.set("caller", result.claims);
    await next();
  });

/** 403 unless the (authenticated) caller has one of the roles. Use after requireAuth. */
export const requireRole = (...roles: Role[]) =>
  createMiddleware<AppEnv>(async (c, next) => {
    if (!roles.includes(c.var.caller.role)) {
      throw new AppError("FORBIDDEN", `This action needs the role ${roles.join(" or ")}.`);
    }
    await next();
  });
