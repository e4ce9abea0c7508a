import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../context";
import { AppError } from "../errors";

const JSON_TYPE = /^application\/([\w.-]+\+)?json$/i;
/** JSON bodies of this API are small; anything larger is a mistake or an attack. */
export const MAX_JSON_BYTES = 64 * 1024;

/**
 * Unsafe requests that carry a body must send JSON of bounded size: 415 for another media
 * type (instead of a silently ignored body), 413 past the limit, read while streaming so
 * a huge body is never buffered, and 400 for JSON that does not parse.
 */
export const jsonBody = () =>
  createMiddleware<AppEnv>(async (c, next) => {
    if (!["POST", "PUT", "PATCH", "DELETE"].includes(c.req.method) || !c.req.raw.body) {
      return next();
    }
    const declared = Number(c.req.header("content-length") ?? "NaN");
    if (declared > MAX_JSON_BYTES) throw tooLarge();
    const bytes = await readBounded(c.req.raw.body, MAX_JSON_BYTES);
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
    try {
      text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
      JSON.parse(text);
    } catch {
      throw new AppError("MALFORMED_JSON", "The request body is not valid JSON.");
    }
    // The stream is consumed: hand the text to the validators through hono's body cache.
    cacheBodyText(c.req.bodyCache, text);
    await next();
  });

/** Hono stores body reads as promises (its types say otherwise). */
function cacheBodyText(cache: object, text: string): void {
  (cache as Record<string, unknown>).text = Promise.resolve(text);
}

function tooLarge(): AppError {
  return new AppError("PAYLOAD_TOO_LARGE", `The body must be at most ${MAX_JSON_BYTES} bytes.`);
}

async function readBounded(stream: ReadableStream<Uint8Array>, limit: number): Promise<Uint8Array> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}
