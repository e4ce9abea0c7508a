import type { GateSnapshot } from "../../core/first-come/types";
import { liveFieldsOf } from "../../core/wire/trial-live";
import type { Database } from "../../db/client";
import { currentGeneration } from "../cache/invalidate";
import { cacheKeys } from "../cache/keys";
import { readThrough } from "../cache/read-through";
import type { Deps } from "../context";
import { AppError } from "../errors";
import { decodeCursor, type Page, toPage } from "../lib/cursor";
import { CreatedCursor, createdKeyOf } from "../lib/keyset";
import { presentProduct, presentTrial } from "../presenters";
import { imagesOf } from "./product-images";
import { getProduct, type ProductRow } from "./products";
import { getTrialRow, listTrials, type TrialQuery } from "./trials";

/**
 * Hot reads through the cache. What is cached is the catalog part (JSON-safe, presented);
 * a trial's live part (status, counts) always comes from its gate, so caching never makes
 * a count or a status stale.
 */

export type TrialJson = ReturnType<typeof presentTrial>;
export type ProductJson = ReturnType<typeof presentProduct>;

/**
 * The catalog first, the gate only for a trial it knows: anyone can name any id, and a call
 * to the gate of an id nobody created would wake a Durable Object for it (issue 13, finding
 * 11). The price is the catalog read (a cache hit, mostly) before the gate's round trip
 * instead of beside it.
 */
export async function readTrial(deps: Deps, id: string): Promise<TrialJson> {
  const catalog = await readTrialCatalog(deps, id);
  const live = await deps.gates.get(id).snapshot();
  return withLive(catalog, live);
}

function withLive(trial: TrialJson, live: GateSnapshot | null): TrialJson {
  return live ? { ...trial, ...liveFieldsOf(live), seed: live.seed } : trial;
}

/** The catalog's part of a trial (no live fields from its gate), or 404. */
export async function readTrialCatalog(deps: Deps, id: string): Promise<TrialJson> {
  const catalog = await readThrough(
    deps.cache,
    cacheKeys.trial(id),
    deps.config.cacheTtlSeconds,
    async () => presentTrial(await getTrialRow(await deps.db.db(), id), null),
  );
  if (!catalog) throw new AppError("TRIAL_NOT_FOUND", "No such trial.");
  return catalog;
}

export async function readTrialList(
  deps: Deps,
  query: Omit<TrialQuery, "after"> & { cursor?: string | undefined },
): Promise<Page<TrialJson>> {
  const after = decodeCursor(query.cursor, CreatedCursor);
  const generation = await currentGeneration(deps.cache, cacheKeys.trialListGeneration);
  // One canonical string per distinct query, so equal queries share one entry.
  const canonical = JSON.stringify([
    query.status,
    query.productId,
    query.companyId,
    query.limit,
    query.cursor,
  ]);
  const page = await readThrough(
    deps.cache,
    cacheKeys.trialList(generation, canonical),
    deps.config.cacheTtlSeconds,
    async () => {
      const rows = await listTrials(await deps.db.db(), { ...query, after });
      return toPage(rows, query.limit, (r) => presentTrial(r, null), CreatedCursor, createdKeyOf);
    },
  );
  if (!page) return { items: [], nextCursor: null };
  // Live counts from each trial's gate, fetched in parallel (one hop each).
  const live = await Promise.all(page.items.map((t) => deps.gates.get(t.id).snapshot()));
  return {
    items: page.items.map((t, i) => withLive(t, live[i] ?? null)),
    nextCursor: page.nextCursor,
  };
}

/**
 * Products with their images. Image urls are stored relative (the cache must not keep the
 * host of whoever filled it) and made absolute for the request that reads them.
 */
export async function presentProducts(
  db: Database,
  rows: ProductRow[],
  origin: string,
): Promise<ProductJson[]> {
  const imagesByProduct = await imagesOf(
    db,
    rows.map((r) => r.id),
    origin,
  );
  return rows.map((r) => presentProduct(r, imagesByProduct.get(r.id) ?? []));
}

export async function readProduct(deps: Deps, id: string, origin: string): Promise<ProductJson> {
  const product = await readThrough(
    deps.cache,
    cacheKeys.product(id),
    deps.config.cacheTtlSeconds,
    async () => {
      const db = await deps.db.db();
      const [json] = await presentProducts(db, [await getProduct(db, id)], "");
      return json ?? null;
    },
  );
  if (!product) throw new AppError("PRODUCT_NOT_FOUND", "No such product.");
  return { ...product, images: product.images.map((i) => ({ ...i, url: `${origin}${i.url}` })) };
}
