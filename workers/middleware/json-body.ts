import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../context";
import { AppError } from "../errors";
import { readBounded } from "../lib/read-bounded";
import { refuseDeepNesting } from "./json-depth";
import { refuseUnstorable, unstorableText } from "./storable-text";

const JSON_TYPE = /^application\/([\w.-]+\+)?json$/i;
/** JSON bodies of this API are small; anything larger is a mistake or an attack. */
export const MAX_JSON_BYTES = 64 * 1024;

const bodySteps = new WeakSet<object>();

/** Whether a middleware is jsonBody(): the OpenAPI generator declares its answers. */
export const isJsonBody = (step: unknown): boolean =>
  typeof step === "function" && bodySteps.has(step);

/**
 * Unsafe requests that carry a body must send JSON of bounded size: 415 for another media
 * type (instead of a silently ignored body), 413 past the limit, read while streaming so
 * a huge body is never buffered, 400 for JSON that does not parse, that is not an object,
 * that nests too deeply (./json-depth.ts) or that holds text Postgres cannot store
 * (./storable-text.ts).
 */
export const jsonBody = () => {
  const step = createMiddleware<AppEnv>(async (c, next) => {
    if (!["POST", "PUT", "PATCH", "DELETE"].includes(c.req.method) || !c.req.raw.body) {
      return next();
    }
    const bytes = await readBounded(c.req.raw, MAX_JSON_BYTES, tooLarge);
    if (bytes.length === 0) {
      // An empty body means "no fields": the validators then say what is missing.
      cacheBodyText(c.req.bodyCache, "{}");
      return next();
    }
    const mediaType = (c.req.header("content-type") ?? "").split(";")[0]?.trim() ?? "";
    if (!JSON_TYPE.test(mediaType)) {
      throw new AppError("UNSUPPORTED_MEDIA_TYPE", "Send the body as application/json.");
    }
    let text: string;
    let parsed: unknown;
    try {
      text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
      parsed = JSON.parse(text);
    } catch {
      throw new AppError("MALFORMED_JSON", "The request body is not valid JSON.");
    }
    // Every body of this API is an object: an array (or a bare value) would otherwise pass
    // a schema whose fields are all optional.
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
      throw new AppError("VALIDATION_FAILED", "The request body must be a JSON object.", [
        { path: "", message: "must be an object" },
      ]);
    }
    refuseDeepNesting(parsed);
    refuseUnstorable("body", unstorableText(parsed));
    // The stream is consumed: hand the text to the validators through hono's body cache, and
    // the bytes as received to the idempotency step (middleware/idempotency.ts hashes them).
    cacheBodyText(c.req.bodyCache, text);
    (c.req.bodyCache as Record<string, unknown>).arrayBuffer = Promise.resolve(bytes.buffer);
    await next();
  });
  bodySteps.add(step);
  return step;
};

/** Hono stores body reads as promises (its types say otherwise). */
function cacheBodyText(cache: object, text: string): void {
  (cache as Record<string, unknown>).text = Promise.resolve(text);
}

function tooLarge(): AppError {
  return new AppError("PAYLOAD_TOO_LARGE", `The body must be at most ${MAX_JSON_BYTES} bytes.`);
}
