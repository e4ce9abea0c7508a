import { exports } from "cloudflare:workers";
import { apiOver } from "../shared/api";

export { type ApiResponse, errorCode } from "../shared/api";

/** One request through the real Worker entry (routing, middleware, bindings and all). */
export const api = apiOver((path, init) =>
  exports.default.fetch(new Request(`http://tryit.test${path}`, init)),
);
