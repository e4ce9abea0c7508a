import { Hono } from "hono";
import type { AppEnv } from "../../context";
import { requireAuth, requireRole } from "../../middleware/auth";
import { idempotent } from "../../middleware/idempotency";
import { ShippingAddressInput } from "../../personal-data/sealing";
import { presentApplication } from "../../presenters";
import { confirmMyPlace } from "../../services/confirmation";
import { IdParam, validate } from "../../validation";

/** The winner confirms their place and gives an address (API.md "After the win"). */
export const confirmationRoutes = new Hono<AppEnv>().post(
  "/:id/applications/me/confirm",
  requireAuth(),
  requireRole("MEMBER"),
  validate("param", IdParam),
  validate("json", ShippingAddressInput),
  idempotent(),
  async (c) => {
    const application = await confirmMyPlace(
      c.var.deps,
      c.req.valid("param").id,
      c.var.caller.userId,
      c.req.valid("json"),
    );
    return c.json(presentApplication(application), 200);
  },
);
