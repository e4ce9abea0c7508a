import { Hono } from "hono";
import type { AppEnv } from "../../context";
import { requireAuth, requireRole } from "../../middleware/auth";
import { presentProduct } from "../../presenters";
import { createProduct, getProduct } from "../../services/products";
import { IdParam, validate } from "../../validation";
import { CreateProductBody } from "./schemas";

export const productRoutes = new Hono<AppEnv>()
  .post(
    "/",
    requireAuth(),
    requireRole("COMPANY", "ADMIN"),
    validate("json", CreateProductBody),
    async (c) => {
      const body = c.req.valid("json");
      const product = await createProduct(await c.var.deps.db.db(), c.var.caller, {
        ...body,
        category: body.category ?? undefined,
      });
      return c.json(presentProduct(product), 201);
    },
  )
  .get("/:id", validate("param", IdParam), async (c) => {
    const product = await getProduct(await c.var.deps.db.db(), c.req.valid("param").id);
    return c.json(presentProduct(product), 200);
  });
