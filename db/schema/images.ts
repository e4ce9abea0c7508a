import { index, integer, pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { products } from "./products";
import { users } from "./users";

/** Image metadata; the bytes live in the blob store (R2 on Cloudflare) under `key`. */
export const images = pgTable(
  "images",
  {
    id: uuid("id").primaryKey(),
    ownerId: uuid("owner_id")
      .notNull()
      .references(() => users.id),
    key: text("key").notNull().unique(),
    contentType: text("content_type").notNull(),
    size: integer("size").notNull(),
    /** Strong ETag: the SHA-256 of the bytes, quoted. */
    etag: text("etag").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    deletedAt: timestamp("deleted_at", { withTimezone: true, mode: "date" }),
  },
  (t) => [index("images_owner_idx").on(t.ownerId)],
);

/** Which images a product shows, in order. */
export const productImages = pgTable(
  "product_images",
  {
    productId: uuid("product_id")
      .notNull()
      .references(() => products.id),
    imageId: uuid("image_id")
      .notNull()
      .references(() => images.id),
    position: integer("position").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.productId, t.imageId] }),
    index("product_images_image_idx").on(t.imageId),
  ],
);
