import { type ConversionConfig, toJsonSchema, toJsonSchemaDefs } from "@valibot/to-json-schema";
import type * as v from "valibot";
import { ERROR_STATUS, type ErrorCode } from "../../core/vocabulary/error-codes";
import { type IdempotencyPolicy, idempotencyPolicyOf } from "../middleware/idempotency";
import { isJsonBody } from "../middleware/json-body";
import { isStorableQuery } from "../middleware/storable-text";
import { OPERATIONS } from "./docs";
import { type MountedRoute, mountedRoutes } from "./mounted-routes";
import type { OperationDoc, ResponseDoc, Security } from "./operation-doc";
import { NAMED_SCHEMAS } from "./responses";

/**
 * Builds the OpenAPI 3.1 document from the app itself: the routes `newApp` mounts, the
 * valibot schemas their `validate(...)` middleware enforce, and the descriptions in ./docs.
 * `npm run openapi:generate` commits the result; `openapi:check` fails when it is stale.
 */

export type JsonObject = { [key: string]: unknown };

export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string; description: string };
  tags: { name: string }[];
  paths: Record<string, Record<string, JsonObject>>;
  components: { securitySchemes: Record<string, JsonObject>; schemas: Record<string, unknown> };
}

/** Hono's methods in the order operations are listed under a path. */
const METHOD_ORDER = ["GET", "POST", "PUT", "PATCH", "DELETE"];

const SECURITY_SCHEMES: Record<Exclude<Security, "none">, JsonObject> = {
  bearer: {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
    description: "The accessToken from POST /v1/auth/login or /v1/auth/refresh.",
  },
  metricsToken: {
    type: "http",
    scheme: "bearer",
    description: "The deployment's METRICS_TOKEN (not a user's token).",
  },
};

/**
 * Request schemas are described as the client sends them (`input`: before `toNumber` or
 * `transform`). Cross-field checks (`check`, `partialCheck`) and `trim` have no JSON Schema
 * form; anything else unconvertible throws, so a new schema cannot silently lose a rule.
 */
const CONVERSION: ConversionConfig = {
  target: "draft-2020-12",
  typeMode: "input",
  errorMode: "throw",
  ignoreActions: ["check", "partial_check", "trim"],
  overrideRef: ({ referenceId }) => `#/components/schemas/${referenceId}`,
};

export function generateOpenApi(): OpenApiDocument {
  const routes = mountedRoutes();
  const keys = new Set(routes.map((r) => `${r.method} ${r.path}`));
  refuseUndeclaredIdempotency(routes);
  const undocumented = [...keys].filter((k) => !(k in OPERATIONS));
  const stale = Object.keys(OPERATIONS).filter((k) => !keys.has(k));
  if (undocumented.length > 0 || stale.length > 0) {
    throw new Error(
      `workers/openapi/docs.ts is out of step with the app. Undocumented routes: ${
        undocumented.join(", ") || "none"
      }. Documented routes the app does not mount: ${stale.join(", ") || "none"}.`,
    );
  }

  const paths: OpenApiDocument["paths"] = {};
  const sorted = [...routes].sort(
    (a, b) =>
      a.path.localeCompare(b.path) ||
      METHOD_ORDER.indexOf(a.method) - METHOD_ORDER.indexOf(b.method),
  );
  for (const route of sorted) {
    const doc = OPERATIONS[`${route.method} ${route.path}`] as OperationDoc;
    const path = route.path.replace(/:(\w+)/g, "{$1}");
    paths[path] ??= {};
    (paths[path] as Record<string, JsonObject>)[route.method.toLowerCase()] = operation(route, doc);
  }

  return {
    openapi: "3.1.0",
    info: {
      title: "Try-it API",
      version: "v1",
      description:
        "First-come product trials. Errors always have the shape of ErrorBody, with a stable `code`.",
    },
    // In the order of the table in ./docs, which groups them as API.md does.
    tags: [...new Set(Object.values(OPERATIONS).map((d) => d.tag))].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: SECURITY_SCHEMES,
      schemas: toJsonSchemaDefs(NAMED_SCHEMAS, CONVERSION),
    },
  };
}

function operation(route: MountedRoute, doc: OperationDoc): JsonObject {
  const schemaFor = (target: string) => route.validators.find((x) => x.target === target)?.schema;
  const json = schemaFor("json");
  const op: JsonObject = {
    operationId: operationId(route),
    summary: doc.summary,
    ...descriptionOf(route, doc),
    tags: [doc.tag],
    security: doc.security === "none" ? [] : [{ [doc.security]: [] }],
  };
  const parameters = [
    ...pathParameters(route.path, schemaFor("param")),
    ...objectParameters("query", schemaFor("query")),
    ...(takesIdempotencyKey(route) ? [IDEMPOTENCY_KEY_PARAMETER] : []),
  ];
  if (parameters.length > 0) op.parameters = parameters;
  if (json) {
    const body = convert(json);
    op.requestBody = {
      required: Array.isArray(body.required) && body.required.length > 0,
      content: { "application/json": { schema: body } },
    };
  } else if (doc.rawBody) {
    op.requestBody = {
      required: true,
      description: doc.rawBody.description,
      content: Object.fromEntries(
        doc.rawBody.media.map((m) => {
          const schema = m === "application/json" ? doc.rawBody?.jsonSchema : undefined;
          return [m, schema ? { schema: convert(schema) } : {}];
        }),
      ),
    };
  }
  op.responses = responses(doc, derivedErrors(route, doc));
  return op;
}

const UNSAFE = ["POST", "PUT", "PATCH", "DELETE"];

/**
 * What the route does with Idempotency-Key: the step right before its handler says
 * (workers/middleware/idempotency.ts), so it runs after the route's own authentication.
 */
export function idempotencyOf(route: MountedRoute): IdempotencyPolicy | undefined {
  return idempotencyPolicyOf(route.steps.at(-2));
}

/**
 * Every unsafe /v1 route declares its idempotency as the step before its handler: a route
 * that forgot would silently run a retried request twice, so the document (and `npm run
 * check`) refuses to build without it.
 */
function refuseUndeclaredIdempotency(routes: MountedRoute[]): void {
  const missing = routes
    .filter((r) => UNSAFE.includes(r.method) && r.path.startsWith("/v1/") && !idempotencyOf(r))
    .map((r) => `${r.method} ${r.path}`);
  if (missing.length > 0) {
    throw new Error(
      `Unsafe routes without idempotent() or refusesIdempotencyKey() right before their handler: ${missing.join(", ")}`,
    );
  }
}

function takesIdempotencyKey(route: MountedRoute): boolean {
  return idempotencyOf(route) === "replay";
}

const REFUSED_KEY_NOTE =
  "Idempotency-Key is refused here (400 VALIDATION_FAILED): the answer carries tokens, which are never stored, so it cannot be replayed. Send the request without it.";

function descriptionOf(route: MountedRoute, doc: OperationDoc): { description?: string } {
  const parts = [
    ...(doc.who ? [`Who: ${doc.who}.`] : []),
    ...(doc.notes ? [doc.notes] : []),
    ...(idempotencyOf(route) === "refuse" ? [REFUSED_KEY_NOTE] : []),
  ];
  return parts.length > 0 ? { description: parts.join("\n\n") } : {};
}

const IDEMPOTENCY_KEY_PARAMETER = {
  name: "Idempotency-Key",
  in: "header",
  required: false,
  description:
    "A repeat with the same key and request gets the first response again (Idempotent-Replayed: true); kept 24 h, for the signed-in caller only (without a token, for the very same request only). The repeat is authenticated like the first.",
  schema: { type: "string", minLength: 1, maxLength: 255, pattern: "^[\\x21-\\x7e]+$" },
};

/** The codes every route of a kind can answer, so the table lists only route-specific ones. */
function derivedErrors(route: MountedRoute, doc: OperationDoc): ErrorCode[] {
  const codes: ErrorCode[] = [];
  if (takesIdempotencyKey(route)) {
    // The key binds the body, so the step reads it (bounded) even where the route does not.
    codes.push(
      "VALIDATION_FAILED",
      "IDEMPOTENCY_KEY_IN_USE",
      "IDEMPOTENCY_KEY_REUSED",
      "PAYLOAD_TOO_LARGE",
    );
  }
  if (route.validators.length > 0) codes.push("VALIDATION_FAILED");
  // The input rules at the door (API.md) hold for every route behind them, validators or not.
  if (route.door.some(isStorableQuery)) codes.push("VALIDATION_FAILED");
  if (UNSAFE.includes(route.method) && route.door.some(isJsonBody)) {
    codes.push(
      "VALIDATION_FAILED",
      "MALFORMED_JSON",
      "UNSUPPORTED_MEDIA_TYPE",
      "PAYLOAD_TOO_LARGE",
    );
  }
  if (route.validators.some((x) => x.target === "json")) {
    codes.push("MALFORMED_JSON", "UNSUPPORTED_MEDIA_TYPE", "PAYLOAD_TOO_LARGE");
  }
  if (doc.security === "bearer") codes.push("UNAUTHORIZED", "TOKEN_EXPIRED");
  if (doc.security === "metricsToken") codes.push("UNAUTHORIZED");
  return codes;
}

function responses(doc: OperationDoc, derived: ErrorCode[]): JsonObject {
  const out: Record<string, JsonObject> = {};
  for (const [status, r] of Object.entries(doc.responses)) out[status] = response(r);
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of new Set([...derived, ...doc.errors])) {
    const status = ERROR_STATUS[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  for (const [status, codes] of byStatus) {
    out[String(status)] = response({
      description: `Error codes: ${codes.join(", ")}`,
      schema: NAMED_SCHEMAS.ErrorBody,
      ...((status === 429 || status === 503) && {
        headers: { "Retry-After": "Seconds to wait before trying again" },
      }),
    });
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => Number(a) - Number(b)));
}

function response(r: ResponseDoc): JsonObject {
  const out: JsonObject = { description: r.description };
  if (r.headers) {
    out.headers = Object.fromEntries(
      Object.entries(r.headers).map(([name, description]) => [
        name,
        { description, schema: { type: "string" } },
      ]),
    );
  }
  if (r.schema) out.content = { "application/json": { schema: convert(r.schema) } };
  else if (r.media) out.content = Object.fromEntries(r.media.map((m) => [m, {}]));
  return out;
}

/** Each `{name}` in the path, described by the route's param schema when it has one. */
function pathParameters(path: string, schema: v.GenericSchema | undefined): JsonObject[] {
  const properties = schema ? objectProperties(schema) : {};
  return [...path.matchAll(/:(\w+)/g)].map(([, name]) => ({
    name,
    in: "path",
    required: true,
    schema: properties[name as string] ?? { type: "string" },
  }));
}

function objectParameters(where: "query", schema: v.GenericSchema | undefined): JsonObject[] {
  if (!schema) return [];
  const converted = convert(schema);
  const required = new Set((converted.required as string[] | undefined) ?? []);
  return Object.entries(objectProperties(schema)).map(([name, s]) => ({
    name,
    in: where,
    required: required.has(name),
    schema: s,
  }));
}

function objectProperties(schema: v.GenericSchema): Record<string, unknown> {
  const converted = convert(schema);
  if (converted.type !== "object") throw new Error("a param or query schema must be an object");
  return (converted.properties as Record<string, unknown> | undefined) ?? {};
}

/** JSON Schema for one operation: named schemas become $refs into components. */
function convert(schema: v.GenericSchema): JsonObject {
  const { $schema, $defs, ...rest } = toJsonSchema(schema, {
    ...CONVERSION,
    definitions: NAMED_SCHEMAS,
  }) as JsonObject;
  return rest;
}

/** `GET /v1/trials/:id/applications` → `getV1TrialsIdApplications`. */
function operationId(route: MountedRoute): string {
  const words = route.path.split(/[^A-Za-z0-9]+/).filter(Boolean);
  return route.method.toLowerCase() + words.map((w) => w[0]?.toUpperCase() + w.slice(1)).join("");
}
