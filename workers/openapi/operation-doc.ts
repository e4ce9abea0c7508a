import type * as v from "valibot";
import type { ErrorCode } from "../../core/vocabulary/error-codes";

/**
 * What the code cannot say about a route, and its shape: summary, who may call it, what it
 * answers. The request side (path, query and body schemas) is never written down; the
 * generator reads it from the `validate(...)` middleware the route really runs. The entries
 * themselves live by capability in ./operations/.
 */

export type Security = "none" | "bearer" | "metricsToken";

export interface ResponseDoc {
  description: string;
  /** A JSON body (application/json). */
  schema?: v.GenericSchema;
  /** A non-JSON body: its media types (the content is described as raw bytes or text). */
  media?: readonly string[];
  headers?: Record<string, string>;
}

export interface OperationDoc {
  summary: string;
  tag: string;
  security: Security;
  /** Who may call it, in the words of API.md; added to the description. */
  who?: string;
  /** What the route does beyond its summary, in the words of API.md; added to the description. */
  notes?: string;
  responses: Record<number, ResponseDoc>;
  /**
   * Error codes this route answers beyond the ones the generator derives (VALIDATION_FAILED
   * for validated input, MALFORMED_JSON for a JSON body, UNAUTHORIZED for a bearer token).
   */
  errors: ErrorCode[];
  /**
   * A request body not checked by `validate` (raw uploads, the bulk shipment upload);
   * `jsonSchema` describes its application/json form where it has one.
   */
  rawBody?: { media: readonly string[]; description: string; jsonSchema?: v.GenericSchema };
}

export const ok = (schema: v.GenericSchema, description = "OK"): Record<number, ResponseDoc> => ({
  200: { description, schema },
});
export const created = (schema: v.GenericSchema): Record<number, ResponseDoc> => ({
  201: { description: "Created", schema },
});
export const noContent: Record<number, ResponseDoc> = { 204: { description: "Done; no body" } };

export const RETRY_AFTER = { "Retry-After": "Seconds to wait before trying again" };

export const ROLE_GUARD: ErrorCode[] = ["FORBIDDEN"];
export const OWNER_GUARD: ErrorCode[] = ["FORBIDDEN", "NOT_THE_OWNER"];
