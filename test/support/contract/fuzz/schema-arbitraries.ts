import fc from "fast-check";
import {
  oddNumber,
  oddTimestamp,
  plausibleTimestamp,
  storableText,
  unstorableText,
} from "./odd-values";

/**
 * Values for a JSON Schema of the OpenAPI document: `validValue` builds what the schema
 * admits (formats uuid, date-time and email, enums, ranges, lengths, required properties),
 * `invalidValue` what it probably does not (wrong types, out of range, odd text and
 * timestamps, arrays for objects, missing required properties). "Probably": the properties
 * never assume which answer a value gets, only what any answer must look like.
 */
export interface JsonSchema {
  $ref?: string;
  type?: string | string[];
  format?: string;
  enum?: unknown[];
  const?: unknown;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
}

/** What values may refer to: ids that exist, strings a request may need to succeed. */
export interface ValueContext {
  resolve(schema: JsonSchema): JsonSchema;
  ids: string[];
  idsByKind: Record<string, string[]>;
  knownStrings: string[];
}

/**
 * The ids of the kind a name suggests ("productId", "imageIds", a path's "trials/{id}"):
 * mostly those, so routes do real work, but any id of the world and random ones too.
 */
function anyId(ctx: ValueContext, hint = ""): fc.Arbitrary<string> {
  const stem = hint.toLowerCase().replace(/ids?$/, "");
  const kind = /^(company|user|member|owner|author)/.test(stem) ? "users" : stem;
  const ofKind = stem
    ? (Object.entries(ctx.idsByKind).find(([k]) => k.startsWith(kind))?.[1] ?? [])
    : [];
  return fc.oneof(
    ...(ofKind.length > 0 ? [{ arbitrary: fc.constantFrom(...ofKind), weight: 8 }] : []),
    { arbitrary: fc.constantFrom(...ctx.ids), weight: 2 },
    { arbitrary: fc.constantFrom(...ctx.ids).map((id) => id.toUpperCase()), weight: 1 },
    { arbitrary: fc.uuid(), weight: 1 },
  );
}

function types(schema: JsonSchema): string[] {
  if (Array.isArray(schema.type)) return schema.type;
  return schema.type ? [schema.type] : [];
}

/** `hint`: the name of the field or parameter, which says what kind of id it takes. */
export function validValue(raw: JsonSchema, ctx: ValueContext, hint = ""): fc.Arbitrary<unknown> {
  const schema = ctx.resolve(raw);
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) return fc.oneof(...alternatives.map((s) => validValue(s, ctx, hint)));
  const kinds = types(schema);
  if (kinds.length > 1) {
    return fc.oneof(...kinds.map((type) => validValue({ ...schema, type }, ctx, hint)));
  }
  switch (kinds[0]) {
    case "string":
      return validString(schema, ctx, hint);
    case "integer":
      return fc.integer({ min: schema.minimum ?? -1_000_000, max: schema.maximum ?? 1_000_000 });
    case "number":
      return fc.double({
        min: schema.minimum ?? -1e6,
        max: schema.maximum ?? 1e6,
        noNaN: true,
        noDefaultInfinity: true,
      });
    case "boolean":
      return fc.boolean();
    case "null":
      return fc.constant(null);
    case "array":
      return fc.array(validValue(schema.items ?? {}, ctx, hint), {
        minLength: schema.minItems ?? 0,
        maxLength: Math.min(schema.maxItems ?? 3, 3),
      });
    case "object":
      return validObject(schema, ctx);
    default:
      return storableText();
  }
}

function validString(schema: JsonSchema, ctx: ValueContext, hint: string): fc.Arbitrary<string> {
  const min = schema.minLength ?? 0;
  const max = schema.maxLength ?? 200;
  const fits = (s: string) => s.length >= min && s.length <= max;
  if (schema.format === "uuid") return anyId(ctx, hint);
  if (schema.format === "date-time") return plausibleTimestamp;
  if (schema.format === "email") {
    return fc.oneof(
      fc.constantFrom(...ctx.knownStrings.filter((s) => s.includes("@"))),
      fc.uuid().map((id) => `fuzz-${id}@tryit.test`),
    );
  }
  if (schema.pattern) return fc.stringMatching(new RegExp(schema.pattern)).filter(fits);
  const known = ctx.knownStrings.filter(fits);
  return known.length > 0
    ? fc.oneof(
        { arbitrary: storableText(min, max), weight: 6 },
        { arbitrary: fc.constantFrom(...known), weight: 1 },
      )
    : storableText(min, max);
}

function validObject(schema: JsonSchema, ctx: ValueContext): fc.Arbitrary<unknown> {
  const properties = schema.properties ?? {};
  const record = Object.fromEntries(
    Object.entries(properties).map(([key, s]) => [key, validValue(s, ctx, key)]),
  );
  return fc.record(record, { requiredKeys: schema.required ?? [] });
}

/** A value of another JSON type than any the schema allows (or null where it is not). */
const wrongType = fc.constantFrom<unknown>(
  42,
  -1,
  "text",
  "",
  true,
  null,
  [],
  ["a"],
  {},
  { nested: { deeper: [1] } },
);

export function invalidValue(raw: JsonSchema, ctx: ValueContext): fc.Arbitrary<unknown> {
  const schema = ctx.resolve(raw);
  const alternatives = schema.anyOf ?? schema.oneOf;
  const kinds = alternatives
    ? alternatives.flatMap((s) => types(ctx.resolve(s)))
    : types(schema).length > 0
      ? types(schema)
      : ["string"];
  const specific: fc.Arbitrary<unknown>[] = [wrongType];
  if (schema.enum) {
    specific.push(
      fc.constantFrom(...schema.enum).map((e) => (typeof e === "string" ? e.toLowerCase() : e)),
      fc.constantFrom(...schema.enum).map((e) => `${String(e)} `),
    );
  }
  for (const kind of kinds) {
    if (kind === "string") {
      specific.push(unstorableText(schema.maxLength), storableText(0, 20));
      if (schema.format === "date-time") specific.push(oddTimestamp);
      if (schema.format === "uuid") specific.push(garbledUuid(ctx));
    }
    if (kind === "integer" || kind === "number") specific.push(oddNumber);
    if (kind === "array") {
      const items = schema.items ?? {};
      specific.push(
        fc.array(invalidValue(items, ctx), { minLength: 1, maxLength: 3 }),
        fc.array(validValue(items, ctx), {
          minLength: (schema.maxItems ?? 20) + 1,
          maxLength: (schema.maxItems ?? 20) + 3,
        }),
      );
    }
    if (kind === "object") specific.push(invalidObject(schema, ctx));
  }
  return fc.oneof(...specific);
}

function garbledUuid(ctx: ValueContext): fc.Arbitrary<string> {
  return fc.constantFrom(...ctx.ids).chain((id) =>
    fc.constantFrom(
      id.slice(1),
      `${id}0`,
      ` ${id}`,
      `{${id}}`,
      id.replaceAll("-", ""),
      id.replace(/[0-9]/, "\uff11"), // a full-width digit
      `${id.slice(0, 35)}g`,
    ),
  );
}

/**
 * An object the schema does not admit: a required property missing, one or two properties
 * made invalid, an unknown property with an odd key or value, or an array instead.
 */
export function invalidObject(schema: JsonSchema, ctx: ValueContext): fc.Arbitrary<unknown> {
  const properties = Object.entries(schema.properties ?? {});
  const valid = validObject(schema, ctx) as fc.Arbitrary<Record<string, unknown>>;
  const options: fc.Arbitrary<unknown>[] = [
    valid.map((o) => [o]),
    fc.tuple(valid, unknownProperty).map(([o, [k, v]]) => ({ ...o, [k]: v })),
  ];
  if (properties.length > 0) {
    const broken = fc.oneof(
      ...properties.map(([key, s]) => invalidValue(s, ctx).map((v) => [key, v] as const)),
    );
    options.push(
      fc
        .tuple(valid, fc.array(broken, { minLength: 1, maxLength: 2 }))
        .map(([o, changes]) => ({ ...o, ...Object.fromEntries(changes) })),
    );
  }
  const required = schema.required ?? [];
  if (required.length > 0) {
    options.push(
      fc.tuple(valid, fc.constantFrom(...required)).map(([o, key]) => {
        const { [key]: _dropped, ...rest } = o;
        return rest;
      }),
    );
  }
  return fc.oneof(...options);
}

const unknownProperty = fc.tuple(
  fc.oneof(
    fc.constantFrom("__proto__", "constructor", "id", "companyId", "role", "userId", "seq"),
    storableText(0, 10),
    fc.constant("key\u0000"),
  ),
  fc.oneof(wrongType, oddNumber, storableText(0, 10), fc.constant("\u0000")),
);
