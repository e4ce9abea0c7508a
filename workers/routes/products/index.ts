import { Hono } from "hono";
import { invalidateProduct } from "../../cache/invalidate";
import type { AppEnv } from "../../context";
import { decodeCursor, toPage } from "../../lib/cursor";
import { CreatedCursor, createdKeyOf } from "../../lib/keyset";
import { publicOrigin } from "../../lib/origin";
import { requireAuth, requireRole } from "../../middleware/auth";
import { idempotent } from "../../middleware/idempotency";
import { presentProducts, readProduct } from "../../services/catalog-reads";
import { createProduct, deleteProduct, listProducts, updateProduct } from "../../services/products";
import { IdParam, validate } from "../../validation";
import { productReviewRoutes } from "../reviews/product-reviews";
import { CreateProductBody, ListProductsQuery, PatchProductBody } from "./schemas";

export const productRoutes = new Hono<AppEnv>()
  .post(
    "/",
    requireAuth(),
    requireRole("COMPANY", "ADMIN"),
    validate("json", CreateProductBody),
    idempotent(),
    async (c) => {
      const body = c.req.valid("json");
      const db = await c.var.deps.db.db();
      const product = await createProduct(db, c.var.caller, {
        ...body,
        category: body.category ?? undefined,
      });
      const [json] = await presentProducts(db, [product], publicOrigin(c));
      return c.json(json, 201);
    },
  )
  .get("/", validate("query", ListProductsQuery), async (c) => {
    const query = c.req.valid("query");
    const db = await c.var.deps.db.db();
    const rows = await listProducts(db, {
      ...query,
      after: decodeCursor(query.cursor, CreatedCursor),
    });
    const page = toPage(rows, query.limit, (r) => r, CreatedCursor, createdKeyOf);
    const items = await presentProducts(db, page.items, publicOrigin(c));
    return c.json({ items, nextCursor: page.nextCursor }, 200);
  })
  .get("/:id", validate("param", IdParam), async (c) => {
    return c.json(await readProduct(c.var.deps, c.req.valid("param").id, publicOrigin(c)), 200);
  })
  .patch(
    "/:id",
    requireAuth(),
    requireRole("COMPANY", "ADMIN"),
    validate("param", IdParam),
    validate("json", PatchProductBody),
    idempotent(),
    async (c) => {
      const db = await c.var.deps.db.db();
      const product = await updateProduct(
        db,
        c.var.caller,
        c.req.valid("param").id,
        c.req.valid("json"),
      );
      await invalidateProduct(c.var.deps.cache, product.id);
      const [json] = await presentProducts(db, [product], publicOrigin(c));
      return c.json(json, 200);
    },
  )
  .delete(
    "/:id",
    requireAuth(),
    requireRole("COMPANY", "ADMIN"),
    validate("param", IdParam),
    idempotent(),
    async (c) => {
      const { db, gates } = c.var.deps;
      const id = c.req.valid("param").id;
      await deleteProduct(await db.db(), gates, c.var.caller, id);
      await invalidateProduct(c.var.deps.cache, id);
      return c.body(null, 204);
    },
  )
  .route("/", productReviewRoutes);
