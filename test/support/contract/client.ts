import { inject } from "vitest";
import { apiOver, type CallOptions } from "../shared/api";

/**
 * The contract suite's only way into the API: real HTTP to whichever build is under test.
 * `server` picks one of the target's processes (Deno runs two); by default the first.
 */
export { type ApiResponse, errorCode } from "../shared/api";

export const baseUrls = inject("baseUrls");
export const target = inject("target");

export const api = apiOver<CallOptions & { server?: number }>((path, init, opts) =>
  fetch(`${baseUrls[(opts.server ?? 0) % baseUrls.length]}${path}`, init),
);
