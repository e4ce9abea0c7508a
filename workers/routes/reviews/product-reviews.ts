import { Hono } from "hono";
import type { AppEnv } from "../../context";
import { readReviewPage } from "../../services/reviews";
import { IdParam, validate } from "../../validation";
import { ListReviewsQuery } from "./schemas";

/** Mounted into the product routes: /v1/products/:id/reviews, across all its trials. */
export const productReviewRoutes = new Hono<AppEnv>().get(
  "/:id/reviews",
  validate("param", IdParam),
  validate("query", ListReviewsQuery),
  async (c) => {
    const db = await c.var.deps.db.db();
    const productId = c.req.valid("param").id;
    return c.json(await readReviewPage(db, { productId }, c.req.valid("query")), 200);
  },
);
