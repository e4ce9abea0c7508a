import fc from "fast-check";
import { gradientPng } from "../../../../scripts/seed/png";
import type { FuzzWorld } from "./fuzz-world";
import { craftedCursor, encodeText, garbledEncoded, storableText } from "./odd-values";
import type { Operation, Parameter } from "./openapi-operations";
import {
  invalidObject,
  invalidValue,
  type JsonSchema,
  type ValueContext,
  validValue,
} from "./schema-arbitraries";

/** One generated request, printable as a counterexample and sent as it is. */
export interface FuzzRequest {
  method: string;
  /** The path with its parameters filled in, percent-encoded (or garbled) already. */
  path: string;
  /** False when a parameter moved the request to another route ("..", "a/b", ""). */
  onRoute: boolean;
  /** The query string, encoded, without "?". */
  query: string;
  headers: Record<string, string>;
  /** Which credentials: none, a bad token's kind, or the role of a valid one. */
  auth: string;
  body?: {
    bytes: string | Uint8Array;
    /** What a JSON parser makes of the bytes (the last of duplicate keys wins), if anything. */
    parsed?: unknown;
  };
}

type Auth = { auth: string; token?: string };

function authArbitrary(world: FuzzWorld): fc.Arbitrary<Auth> {
  const valid = (["MEMBER", "COMPANY", "ADMIN"] as const).map((role) => ({
    arbitrary: fc
      .nat({ max: world.users[role].length - 1 })
      .map((i): Auth => ({ auth: `${role}#${i}`, token: world.users[role][i]?.token })),
    weight: 3,
  }));
  const bad = Object.entries(world.badTokens).map(([kind, token]) => ({ auth: kind, token }));
  return fc.oneof(
    { arbitrary: fc.constant<Auth>({ auth: "none" }), weight: 1 },
    { arbitrary: fc.constantFrom(...bad), weight: 1 },
    ...valid,
  );
}

const HEADER_SAFE = fc.oneof(
  fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)),
  fc.constantFrom(" ", "\t", "é", "\u00ff"),
);

const asText = (v: unknown) =>
  encodeText(typeof v === "string" ? v : v === undefined ? "" : JSON.stringify(v));

/** A value the parameter's schema admits, percent-encoded. `hint` names the id kind. */
function validParameter(p: Parameter, ctx: ValueContext, hint = p.name): fc.Arbitrary<string> {
  // A cursor is opaque: only the server makes valid ones, so a made-up one is never valid.
  if (p.name === "cursor") return craftedCursor;
  return validValue(p.schema, ctx, hint).map(asText);
}

/** A value it probably does not: long enough to matter, short enough to reach the app. */
function invalidParameter(p: Parameter, ctx: ValueContext): fc.Arbitrary<string> {
  const options = [
    { arbitrary: invalidValue(p.schema, ctx).map(asText), weight: 3 },
    { arbitrary: garbledEncoded, weight: 1 },
  ];
  if (p.name === "cursor") options.push({ arbitrary: craftedCursor, weight: 3 });
  return fc.oneof(...options).filter((s) => s.length <= 2048);
}

function headerValue(p: Parameter, ctx: ValueContext): fc.Arbitrary<string> {
  return fc.oneof(
    { arbitrary: validValue(p.schema, ctx).map(String), weight: 3 },
    { arbitrary: fc.string({ unit: HEADER_SAFE, maxLength: 300 }), weight: 1 },
    { arbitrary: fc.constant("k".repeat(256)), weight: 1 },
  );
}

/**
 * Real ids of the kind the path names (`/trials/{id}` takes trial ids), in another case,
 * random and garbled ones, and segments that move the request off its route.
 */
function pathValue(p: Parameter, ctx: ValueContext, before: string): fc.Arbitrary<string> {
  return fc.oneof(
    { arbitrary: validParameter(p, ctx, p.name === "id" ? before : p.name), weight: 12 },
    { arbitrary: invalidParameter(p, ctx), weight: 2 },
    { arbitrary: fc.constantFrom("", ".", "..", "a/b", "%2e%2e"), weight: 1 },
  );
}

const offRoute = (segment: string) =>
  segment === "" || segment.includes("/") || /^(\.|%2e){1,2}$/i.test(segment);

/** Each parameter mostly absent or valid, so most lists do real work; sometimes not. */
function queryArbitrary(params: Parameter[], ctx: ValueContext): fc.Arbitrary<string> {
  const pairs = params.map((p) =>
    fc.oneof(
      { arbitrary: fc.constant<string[]>([]), weight: p.name === "cursor" ? 12 : 5 },
      { arbitrary: validParameter(p, ctx).map((v) => [`${p.name}=${v}`]), weight: 4 },
      { arbitrary: invalidParameter(p, ctx).map((v) => [`${p.name}=${v}`]), weight: 1 },
      // A repeated parameter: frameworks disagree on which one counts.
      {
        arbitrary: fc
          .tuple(validParameter(p, ctx), invalidParameter(p, ctx))
          .map(([a, b]) => [`${p.name}=${a}`, `${p.name}=${b}`]),
        weight: 1,
      },
    ),
  );
  const extra = fc.oneof(
    { arbitrary: fc.constant<string[]>([]), weight: 8 },
    {
      arbitrary: fc
        .tuple(storableText(1, 8), storableText(0, 8))
        .map(([k, v]) => [`${encodeText(k)}=${encodeText(v)}`]),
      weight: 1,
    },
    { arbitrary: garbledEncoded.map((g) => [g]), weight: 1 },
  );
  // Past 8 KB a URL is refused by the platform (431) before the app sees it.
  return fc
    .tuple(...pairs, extra)
    .map((parts) => parts.flat().join("&"))
    .filter((query) => query.length <= 8192);
}

const JSON_TYPES = fc.oneof(
  { arbitrary: fc.constant("application/json"), weight: 20 },
  {
    arbitrary: fc.constantFrom(
      "application/json; charset=utf-8",
      "application/merge-patch+json",
      "APPLICATION/JSON",
      "text/plain",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x",
      "application/json; charset=latin1",
      "",
    ),
    weight: 2,
  },
);

function jsonBody(schema: JsonSchema, ctx: ValueContext): fc.Arbitrary<FuzzRequest["body"]> {
  const asJson = (value: unknown) => ({ bytes: JSON.stringify(value), parsed: value });
  const valid = validValue(schema, ctx);
  const keys = Object.keys(schema.properties ?? {});
  const raw = (text: string) => {
    try {
      return { bytes: text, parsed: JSON.parse(text) };
    } catch {
      return { bytes: text };
    }
  };
  return fc.oneof(
    { arbitrary: valid.map(asJson), weight: 10 },
    { arbitrary: invalidObject(schema, ctx).map(asJson), weight: 4 },
    // Duplicate keys, sent as text: the last one is what JSON.parse keeps.
    {
      arbitrary: fc
        .tuple(valid, fc.constantFrom(...(keys.length > 0 ? keys : ["x"])))
        .chain(([o, key]) =>
          fc
            .oneof(validValue(schema.properties?.[key] ?? {}, ctx), invalidValue({}, ctx))
            .map((second) => {
              const first = JSON.stringify({ ...(o as object), [key]: "first" });
              return raw(`${first.slice(0, -1)},${JSON.stringify(key)}:${JSON.stringify(second)}}`);
            }),
        ),
      weight: 2,
    },
    {
      arbitrary: fc.oneof(
        valid.map((o) => raw(`\ufeff${JSON.stringify(o)}`)),
        valid.map((o) => raw(JSON.stringify(o).slice(0, -1))),
        fc
          .constantFrom(
            "",
            "{",
            "[]",
            "null",
            '"text"',
            "42",
            "{'a': 1}",
            '{"a": NaN}',
            '{"a": 1,}',
            '{"slots": 1e400}',
            `${"[".repeat(10_000)}${"]".repeat(10_000)}`,
            `{"a":${'{"a":'.repeat(5_000)}1${"}".repeat(5_000)}}`,
          )
          .map(raw),
      ),
      weight: 2,
    },
  );
}

function imageBody(): fc.Arbitrary<FuzzRequest["body"]> {
  return fc.oneof(
    {
      arbitrary: fc.nat({ max: 255 }).map((hue) => ({ bytes: gradientPng(3, 2, hue) })),
      weight: 20,
    },
    { arbitrary: fc.uint8Array({ maxLength: 64 }).map((bytes) => ({ bytes })), weight: 5 },
    { arbitrary: fc.constant({ bytes: new TextEncoder().encode("<svg></svg>") }), weight: 5 },
    { arbitrary: fc.constant({ bytes: new Uint8Array(5 * 1024 * 1024 + 1) }), weight: 1 },
  );
}

export function requestArbitrary(
  op: Operation,
  world: FuzzWorld,
  ctx: ValueContext,
): fc.Arbitrary<FuzzRequest> {
  const inPath = op.parameters.filter((p) => p.in === "path");
  const inQuery = op.parameters.filter((p) => p.in === "query");
  const inHeader = op.parameters.filter((p) => p.in === "header");
  const segmentBefore = (p: Parameter) => op.path.split(`/{${p.name}}`)[0]?.split("/").pop() ?? "";
  const path = fc.tuple(...inPath.map((p) => pathValue(p, ctx, segmentBefore(p)))).map((values) => {
    let filled = op.path;
    inPath.forEach((p, i) => {
      filled = filled.replace(`{${p.name}}`, values[i] ?? "");
    });
    return { path: filled, onRoute: !values.some(offRoute) };
  });
  const headers = fc.tuple(
    ...inHeader.map((p) =>
      fc.option(
        headerValue(p, ctx).map((v) => [p.name, v] as const),
        { freq: 2 },
      ),
    ),
  );
  const body = bodyArbitrary(op, ctx);
  return fc
    .record({
      path,
      query: queryArbitrary(inQuery, ctx),
      headers,
      auth: authArbitrary(world),
      body,
    })
    .map(({ path, query, headers, auth, body }) =>
      withShortPrint({
        method: op.method,
        path: path.path,
        onRoute: path.onRoute,
        query,
        headers: {
          ...Object.fromEntries(headers.filter((h) => h !== null)),
          ...(auth.token ? { authorization: `Bearer ${auth.token}` } : {}),
          ...(body?.contentType ? { "content-type": body.contentType } : {}),
        },
        auth: auth.auth,
        ...(body ? { body: body.body } : {}),
      }),
    );
}

/** A body sent where the document asks for none: an unsafe route must still answer well. */
const unaskedBody = fc.option(
  fc
    .tuple(
      fc.constantFrom("{}", '{"reason":"x"}', "[]", "{", "please", "y".repeat(70_000)),
      JSON_TYPES,
    )
    .map(([bytes, type]) => ({ body: { bytes }, ...(type ? { contentType: type } : {}) })),
  { freq: 6 },
);

function bodyArbitrary(
  op: Operation,
  ctx: ValueContext,
): fc.Arbitrary<{ body: FuzzRequest["body"]; contentType?: string } | null> {
  if (!op.body) return op.method === "GET" ? fc.constant(null) : unaskedBody;
  const declared = op.body.contentTypes;
  const isJson = declared.includes("application/json");
  const contentType = isJson
    ? JSON_TYPES
    : fc.oneof(
        { arbitrary: fc.constantFrom(...declared), weight: 6 },
        { arbitrary: fc.constantFrom("image/svg+xml", "application/json", ""), weight: 1 },
      );
  const bytes = isJson ? jsonBody(op.body.schema ?? { type: "object" }, ctx) : imageBody();
  const sent = fc
    .tuple(bytes, contentType)
    .map(([body, type]) => ({ body, ...(type ? { contentType: type } : {}) }));
  return op.body.required ? sent : fc.option(sent, { freq: 6 });
}

/** fast-check prints a counterexample with this: short, and without the token. */
function withShortPrint(req: FuzzRequest): FuzzRequest {
  return Object.assign(req, { [fc.toStringMethod]: () => describeRequest(req) });
}

/** The request as a line a person can read and replay with curl. */
export function describeRequest(req: FuzzRequest): string {
  const body = req.body?.bytes;
  const shown =
    body === undefined
      ? ""
      : typeof body === "string"
        ? ` body=${JSON.stringify(body.length > 300 ? `${body.slice(0, 300)}…(${body.length})` : body)}`
        : ` body=<${body.length} bytes>`;
  return `${req.method} ${req.path}${req.query ? `?${req.query.slice(0, 300)}` : ""} auth=${req.auth} headers=${JSON.stringify(
    Object.fromEntries(Object.entries(req.headers).filter(([k]) => k !== "authorization")),
  )}${shown}`;
}
