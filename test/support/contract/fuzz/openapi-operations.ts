import type { JsonSchema } from "./schema-arbitraries";

/**
 * The operations of the server's own /openapi.json, in the little shape the fuzzer needs.
 * Every operation the document lists is fuzzed: a new route is covered without editing the
 * fuzzer.
 */
export interface OpenApiDocument {
  paths: Record<string, Record<string, RawOperation>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

interface RawOperation {
  operationId?: string;
  security?: Record<string, string[]>[];
  parameters?: { name: string; in: string; required?: boolean; schema?: JsonSchema }[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: JsonSchema }> };
  responses?: Record<string, { description?: string; content?: Record<string, unknown> }>;
}

export interface Parameter {
  name: string;
  in: "path" | "query" | "header";
  required: boolean;
  schema: JsonSchema;
}

export interface DeclaredResponse {
  /** The error codes its description lists ("Error codes: A, B"), if it lists any. */
  errorCodes: string[] | null;
  /** The `$ref` name of its JSON schema (e.g. "Product"), if it has one. */
  schemaName: string | null;
}

export interface Operation {
  id: string;
  method: string;
  /** The path template, e.g. /v1/trials/{id}. */
  path: string;
  secured: boolean;
  parameters: Parameter[];
  body: { required: boolean; contentTypes: string[]; schema: JsonSchema | null } | null;
  responses: Record<string, DeclaredResponse>;
}

const METHODS = ["get", "put", "post", "patch", "delete"];

export function operationsOf(doc: OpenApiDocument): Operation[] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.includes(method))
      .map(([method, op]) => toOperation(path, method, op)),
  );
}

function toOperation(path: string, method: string, op: RawOperation): Operation {
  const content = op.requestBody?.content ?? {};
  return {
    id: op.operationId ?? `${method} ${path}`,
    method: method.toUpperCase(),
    path,
    secured: (op.security ?? []).length > 0,
    parameters: (op.parameters ?? [])
      .filter((p) => p.in === "path" || p.in === "query" || p.in === "header")
      .map((p) => ({
        name: p.name,
        in: p.in as Parameter["in"],
        required: p.required ?? p.in === "path",
        schema: p.schema ?? { type: "string" },
      })),
    body: op.requestBody
      ? {
          required: op.requestBody.required ?? false,
          contentTypes: Object.keys(content),
          schema: content["application/json"]?.schema ?? null,
        }
      : null,
    responses: Object.fromEntries(
      Object.entries(op.responses ?? {}).map(([status, r]) => [
        status,
        {
          errorCodes:
            r.description
              ?.match(/Error codes: (.*)$/)?.[1]
              ?.split(",")
              .map((s) => s.trim()) ?? null,
          schemaName: schemaRefName(r.content),
        },
      ]),
    ),
  };
}

function schemaRefName(content: Record<string, unknown> | undefined): string | null {
  const schema = (content?.["application/json"] as { schema?: JsonSchema } | undefined)?.schema;
  return schema?.$ref?.split("/").pop() ?? null;
}

/** Follows `#/components/schemas/...` references of this document. */
export function resolverOf(doc: OpenApiDocument) {
  return (schema: JsonSchema): JsonSchema => {
    let current = schema;
    for (let hops = 0; current.$ref && hops < 10; hops++) {
      const name = current.$ref.split("/").pop() ?? "";
      current = doc.components?.schemas?.[name] ?? {};
    }
    return current;
  };
}
