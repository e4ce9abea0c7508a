import { Hono } from "hono";
import type { AppContext, AppEnv, DocsAssetName } from "../context";
import { AppError } from "../errors";

/**
 * GET /docs: the interactive API reference (Swagger UI) over GET /openapi.json. Everything the
 * page needs comes from this server (the pinned swagger-ui-dist files, handed over by the
 * runtime), so it works offline and under a CSP that admits nothing but this origin.
 */

/** The pinned swagger-ui-dist (package.json). In the asset URLs so a new version is a new URL. */
const SWAGGER_UI_VERSION = "5.35.0";

const ASSET_TYPES: Record<DocsAssetName, string> = {
  "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
  "swagger-ui.css": "text/css; charset=utf-8",
};

const assetUrl = (name: DocsAssetName) => `/docs/${name}?v=${SWAGGER_UI_VERSION}`;

// validatorUrl: null keeps Swagger UI from sending the document to validator.swagger.io.
const INIT_SCRIPT =
  'window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#ui", deepLinking: true, validatorUrl: null });';

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Try-it API reference</title>
<link rel="stylesheet" href="${assetUrl("swagger-ui.css")}">
</head>
<body>
<div id="ui"></div>
<script src="${assetUrl("swagger-ui-bundle.js")}"></script>
<script>${INIT_SCRIPT}</script>
</body>
</html>
`;

// The inline script is admitted by its hash (fixed text, so the page stays cacheable); images
// allow data: because swagger-ui.css draws its icons as data: URIs.
let policy: Promise<string> | undefined;
function contentSecurityPolicy(): Promise<string> {
  policy ??= sha256Base64(INIT_SCRIPT).then((hash) =>
    [
      "default-src 'self'",
      `script-src 'self' 'sha256-${hash}'`,
      "style-src 'self'",
      "img-src 'self' data:",
      "connect-src 'self'",
      "object-src 'none'",
      "base-uri 'none'",
      "form-action 'self'",
      "frame-ancestors 'none'",
    ].join("; "),
  );
  return policy;
}

async function sha256Base64(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return btoa(String.fromCharCode(...new Uint8Array(digest)));
}

export const docsRoutes = new Hono<AppEnv>()
  .get("/docs", async (c) =>
    c.html(PAGE, 200, {
      "content-security-policy": await contentSecurityPolicy(),
      "x-content-type-options": "nosniff",
    }),
  )
  .get("/docs/swagger-ui-bundle.js", (c) => serveAsset(c, "swagger-ui-bundle.js"))
  .get("/docs/swagger-ui.css", (c) => serveAsset(c, "swagger-ui.css"));

async function serveAsset(c: AppContext, name: DocsAssetName): Promise<Response> {
  const body = await c.var.deps.docsAsset(name);
  if (body === null) {
    throw new AppError("NOT_FOUND", "This deployment does not serve the API reference assets.");
  }
  // The version is in the URL the page uses and in the ETag: a cached copy never goes stale.
  const etag = `"swagger-ui-dist-${SWAGGER_UI_VERSION}-${name}"`;
  const headers = {
    "cache-control": "public, max-age=31536000, immutable",
    etag,
    "x-content-type-options": "nosniff",
  };
  if (c.req.header("if-none-match") === etag) return c.body(null, 304, headers);
  return c.body(body, 200, { ...headers, "content-type": ASSET_TYPES[name] });
}
