// Bundled into the Worker as Text modules (wrangler.toml [[rules]]), so GET /docs needs no
// static-assets binding and fetches nothing at runtime.

import swaggerUiCss from "swagger-ui-dist/swagger-ui.css";
import swaggerUiBundle from "swagger-ui-dist/swagger-ui-bundle.js";
import type { DocsAssetName } from "../../context";

const ASSETS: Record<DocsAssetName, string> = {
  "swagger-ui-bundle.js": swaggerUiBundle,
  "swagger-ui.css": swaggerUiCss,
};

export const bundledDocsAsset = async (name: DocsAssetName): Promise<string | null> =>
  ASSETS[name] ?? null;
