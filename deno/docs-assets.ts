import { describeError, log } from "../core/log.ts";
import type { DocsAssetName } from "../workers/context.ts";

// The pinned package, installed by `npm ci` next to the server; readable under the server's
// --allow-read of the repository (scripts/local-stack/supervision/deno-server.ts).
const DIST = new URL("../node_modules/swagger-ui-dist/", import.meta.url);

// Read once per process and kept: the files never change while it runs. A failed read is not
// kept, so a file restored on disk is served on the next request.
const cache = new Map<DocsAssetName, Promise<string | null>>();

export function nodeModulesDocsAsset(name: DocsAssetName): Promise<string | null> {
  let text = cache.get(name);
  if (!text) {
    text = Deno.readTextFile(new URL(name, DIST)).catch((error: unknown) => {
      cache.delete(name);
      log.warn("docs.asset_missing", { name, error: describeError(error) });
      return null;
    });
    cache.set(name, text);
  }
  return text;
}
