import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { PagesEnv } from "./context";

/**
 * Every form a page receives, checked once before any page handler reads it: a form's media
 * type (urlencoded or multipart), at most 6 MiB (an image is at most 5), and a body that
 * parses. Anything else is a plain 4xx text answer, never a handler's exception (a 500).
 * Handlers then read `c.req.formData()`, which Hono keeps from this first parse.
 */

const FORM_TYPES = /^(application\/x-www-form-urlencoded|multipart\/form-data)\b/i;
const MAX_FORM_BYTES = 6 * 1024 * 1024;

const sizeLimit = bodyLimit({
  maxSize: MAX_FORM_BYTES,
  onError: (c) => c.text("The form is too large (at most 6 MiB).", 413),
});

export const formBody: MiddlewareHandler<PagesEnv> = async (c, next) => {
  if (c.req.method !== "POST" || c.req.path.startsWith("/session/")) return next();
  if (!FORM_TYPES.test(c.req.header("content-type") ?? "")) {
    return c.text("Pages accept forms only (urlencoded or multipart).", 415);
  }
  return sizeLimit(c, async () => {
    try {
      await c.req.formData();
    } catch {
      c.res = c.text("The form could not be read.", 400);
      return;
    }
    await next();
  });
};
