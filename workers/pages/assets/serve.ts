import { Hono } from "hono";
import type { AppEnv } from "../../context";
import { AppError } from "../../errors";
import { PAGE_ASSETS } from "./bundle.generated";

/**
 * The pages' script and stylesheet, bundled ahead of time by `npm run pages:build`
 * (scripts/build-pages.ts) into a module of the app, so both runtimes serve them from
 * memory: no asset binding, no file read, nothing from another origin. The content hash is
 * in the URL, so a copy is cached for good and a new build is a new URL.
 */

export type PageAssetName = keyof typeof PAGE_ASSETS;

export function assetUrl(name: PageAssetName): string {
  return `/assets/${name}?v=${PAGE_ASSETS[name].hash}`;
}

const isAssetName = (name: string): name is PageAssetName => Object.hasOwn(PAGE_ASSETS, name);

export const pageAssetRoutes = new Hono<AppEnv>().get("/assets/:name", (c) => {
  const name = c.req.param("name");
  if (!isAssetName(name)) throw new AppError("NOT_FOUND", "No such asset.");
  const asset = PAGE_ASSETS[name];
  const etag = `"${asset.hash}"`;
  const headers = {
    "cache-control": "public, max-age=31536000, immutable",
    etag,
    "x-content-type-options": "nosniff",
  };
  if (c.req.header("if-none-match") === etag) return c.body(null, 304, headers);
  return c.body(asset.body, 200, { ...headers, "content-type": asset.type });
});
