import { type OperationDoc, RETRY_AFTER } from "../operation-doc";
import * as R from "../responses";

/** What the service says about itself: health, metrics, the API reference. Keyed by `METHOD path` as Hono lists the route. */
export const SERVICE_OPERATIONS: Record<string, OperationDoc> = {
  "GET /healthz": {
    summary: "Health of the API and its database",
    tag: "Operations",
    security: "none",
    responses: {
      200: { description: "Postgres answers", schema: R.Health },
      503: { description: "Postgres is unreachable", schema: R.Health, headers: RETRY_AFTER },
    },
    errors: [],
  },
  "GET /metrics": {
    summary: "Prometheus metrics of this process (runtimes that keep counters)",
    tag: "Operations",
    security: "metricsToken",
    responses: { 200: { description: "Prometheus text format", media: ["text/plain"] } },
    errors: ["NOT_FOUND"],
  },
  "GET /openapi.json": {
    summary: "This OpenAPI 3.1 document",
    tag: "Operations",
    security: "none",
    responses: { 200: { description: "The OpenAPI document", media: ["application/json"] } },
    errors: [],
  },
  "GET /docs": {
    summary: "Interactive API reference (Swagger UI over this document)",
    tag: "Operations",
    security: "none",
    responses: { 200: { description: "The reference page", media: ["text/html"] } },
    errors: [],
  },
  "GET /docs/swagger-ui-bundle.js": {
    summary: "Script of the reference page (the pinned swagger-ui-dist)",
    tag: "Operations",
    security: "none",
    responses: { 200: { description: "JavaScript", media: ["text/javascript"] } },
    errors: [],
  },
  "GET /docs/swagger-ui.css": {
    summary: "Style sheet of the reference page (the pinned swagger-ui-dist)",
    tag: "Operations",
    security: "none",
    responses: { 200: { description: "CSS", media: ["text/css"] } },
    errors: [],
  },
};
