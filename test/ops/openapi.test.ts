import * as v from "valibot";
import { describe, expect, it } from "vitest";
import committed from "../../openapi/openapi.json";
import { generateOpenApi } from "../../workers/openapi/generate";
import { mountedRoutes } from "../../workers/openapi/mounted-routes";
import * as R from "../../workers/openapi/responses";
import { createTrial, createUser } from "../support/workerd/fixtures";
import { api } from "../support/workerd/http";

/**
 * The committed OpenAPI document (openapi/openapi.json, served at GET /openapi.json) must
 * describe the app as it is: every route, the schemas its validators enforce, and response
 * bodies the API really sends.
 */

type Json = Record<string, any>;
const doc = committed as Json;
const HTTP_METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/** `METHOD /path/:param` for each operation of a document. */
function documentedOperations(d: Json): string[] {
  return Object.entries(d.paths as Json).flatMap(([path, item]) =>
    Object.keys(item as Json)
      .filter((k) => HTTP_METHODS.includes(k))
      .map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ":$1")}`),
  );
}

function resolvePointer(d: Json, ref: string): unknown {
  if (!ref.startsWith("#/")) return undefined;
  return ref
    .slice(2)
    .split("/")
    .map((s) => s.replaceAll("~1", "/").replaceAll("~0", "~"))
    .reduce<any>((node, key) => (node === undefined ? undefined : node[key]), d);
}

function collectRefs(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) for (const x of node) collectRefs(x, out);
  else if (node && typeof node === "object") {
    for (const [k, x] of Object.entries(node)) {
      if (k === "$ref" && typeof x === "string") out.push(x);
      else collectRefs(x, out);
    }
  }
  return out;
}

/** The structural rules of OpenAPI 3.1 this document relies on; returns every violation. */
function structuralProblems(d: Json): string[] {
  const problems: string[] = [];
  if (typeof d.openapi !== "string" || !/^3\.1\.\d+$/.test(d.openapi)) {
    problems.push(`openapi is ${d.openapi}, not 3.1.x`);
  }
  if (typeof d.info?.title !== "string" || typeof d.info?.version !== "string") {
    problems.push("info needs a title and a version");
  }
  for (const ref of collectRefs(d)) {
    if (resolvePointer(d, ref) === undefined) problems.push(`$ref ${ref} does not resolve`);
  }
  const schemes = Object.keys(d.components?.securitySchemes ?? {});
  const operationIds = new Set<string>();
  for (const [path, item] of Object.entries(d.paths as Json)) {
    if (!path.startsWith("/")) problems.push(`path ${path} does not start with /`);
    const inPath = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
    for (const [method, op] of Object.entries(item as Json)) {
      const where = `${method.toUpperCase()} ${path}`;
      if (!HTTP_METHODS.includes(method)) problems.push(`${where}: not an HTTP method`);
      const responses = Object.entries((op.responses ?? {}) as Json);
      if (responses.length === 0) problems.push(`${where}: no responses`);
      for (const [status, r] of responses) {
        if (!/^[1-5]\d\d$/.test(status)) problems.push(`${where}: status ${status}`);
        if (typeof r.description !== "string") problems.push(`${where} ${status}: no description`);
      }
      if (typeof op.operationId !== "string" || operationIds.has(op.operationId)) {
        problems.push(`${where}: missing or repeated operationId`);
      }
      operationIds.add(op.operationId);
      const params = (op.parameters ?? []) as Json[];
      const pathParams = params.filter((p) => p.in === "path");
      for (const name of inPath) {
        const p = pathParams.find((x) => x.name === name);
        if (p?.required !== true) problems.push(`${where}: path parameter ${name} undeclared`);
      }
      for (const p of pathParams) {
        if (!inPath.includes(p.name)) problems.push(`${where}: ${p.name} is not in the path`);
      }
      for (const p of params) {
        if (!["path", "query", "header", "cookie"].includes(p.in) || !p.schema) {
          problems.push(`${where}: parameter ${p.name} needs a valid "in" and a schema`);
        }
      }
      for (const requirement of (op.security ?? []) as Json[]) {
        for (const name of Object.keys(requirement)) {
          if (!schemes.includes(name)) problems.push(`${where}: unknown security scheme ${name}`);
        }
      }
    }
  }
  return problems;
}

describe("the OpenAPI document", () => {
  it("is what the generator makes of the app today (else: npm run openapi:generate)", () => {
    expect(generateOpenApi()).toEqual(committed);
  });

  it("documents every route the app mounts, and nothing else", () => {
    const mounted = mountedRoutes().map((r) => `${r.method} ${r.path}`);
    const documented = documentedOperations(doc);
    expect(
      mounted.filter((r) => !documented.includes(r)),
      "undocumented routes",
    ).toEqual([]);
    expect(
      documented.filter((r) => !mounted.includes(r)),
      "documented, not mounted",
    ).toEqual([]);
    expect(mounted.length).toBeGreaterThan(30);
  });

  it("is a structurally valid OpenAPI 3.1 document titled Try-it API", () => {
    expect(doc.info.title).toBe("Try-it API");
    expect(structuralProblems(doc)).toEqual([]);
  });

  it("has a structural check that catches broken documents", () => {
    const broken = structuredClone(doc);
    broken.openapi = "3.0.3";
    broken.paths["/v1/trials/{id}"].get.parameters = [];
    broken.paths["/v1/trials/{id}"].get.responses["200"].content["application/json"].schema = {
      $ref: "#/components/schemas/Nope",
    };
    broken.paths["/v1/users/me"].get.security = [{ apiKey: [] }];
    expect(structuralProblems(broken)).toEqual([
      "openapi is 3.0.3, not 3.1.x",
      "$ref #/components/schemas/Nope does not resolve",
      "GET /v1/trials/{id}: path parameter id undeclared",
      "GET /v1/users/me: unknown security scheme apiKey",
    ]);
  });

  it("describes requests with the schemas the routes validate with", () => {
    const signup = doc.paths["/v1/auth/signup"].post;
    const body = signup.requestBody.content["application/json"].schema;
    // SignUpBody: password 8..128, role defaulting to MEMBER, name trimmed to 1..50.
    expect(body.properties.password).toEqual({ type: "string", minLength: 8, maxLength: 128 });
    expect(body.properties.role).toMatchObject({ enum: ["MEMBER", "COMPANY"], default: "MEMBER" });
    expect(body.required).toEqual(["email", "password", "name"]);
    const list = doc.paths["/v1/trials"].get.parameters.map((p: Json) => p.name);
    expect(list).toEqual(["status", "productId", "companyId", "limit", "cursor"]);
    const byId = doc.paths["/v1/trials/{id}"].get.parameters;
    expect(byId).toEqual([
      { name: "id", in: "path", required: true, schema: { type: "string", format: "uuid" } },
    ]);
  });

  it("lists each route's error codes under their statuses, and bearer security", () => {
    const apply = doc.paths["/v1/trials/{id}/applications"].post;
    expect(apply.security).toEqual([{ bearer: [] }]);
    expect(apply.responses["409"].description).toContain("TRIAL_CLOSED");
    expect(apply.responses["401"].description).toContain("UNAUTHORIZED");
    expect(apply.responses["429"].headers["Retry-After"]).toBeDefined();
    expect(doc.paths["/v1/trials"].get.security).toEqual([]);
    expect(doc.components.securitySchemes.bearer).toMatchObject({
      type: "http",
      scheme: "bearer",
      bearerFormat: "JWT",
    });
  });
});

describe("GET /openapi.json", () => {
  it("serves the committed document as JSON, to anyone", async () => {
    const res = await api("GET", "/openapi.json");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(res.body).toEqual(committed);
  });
});

/** Asserts a real response body matches the documented schema, naming each mismatch. */
function expectDocumented(schema: v.GenericSchema, body: unknown) {
  const result = v.safeParse(schema, body);
  const issues = result.success
    ? []
    : result.issues.map((i) => `${v.getDotPath(i) ?? "(root)"}: ${i.message}`);
  expect(issues).toEqual([]);
}

describe("documented response schemas match what the API sends", () => {
  it("User, from sign-up", async () => {
    const res = await api("POST", "/v1/auth/signup", {
      body: {
        email: `openapi-${crypto.randomUUID()}@tryit.test`,
        password: "long enough",
        name: "Doc",
      },
    });
    expect(res.status).toBe(201);
    expect(doc.paths["/v1/auth/signup"].post.responses["201"].content).toEqual({
      "application/json": { schema: { $ref: "#/components/schemas/User" } },
    });
    expectDocumented(R.User, res.body);
  });

  it("Trial, Product and their list pages", async () => {
    const company = await createUser("COMPANY");
    const trial = await createTrial(company);
    expectDocumented(R.Trial, (await api("GET", `/v1/trials/${trial.id}`)).body);
    expectDocumented(R.Product, (await api("GET", `/v1/products/${trial.productId}`)).body);
    const trials = await api("GET", `/v1/trials?companyId=${company.id}`);
    expect(trials.body.items).toHaveLength(1);
    expectDocumented(R.TrialPage, trials.body);
  });

  it("Application, ReviewPage and ErrorBody", async () => {
    const company = await createUser("COMPANY");
    const member = await createUser("MEMBER");
    const trial = await createTrial(company);
    const applied = await api("POST", `/v1/trials/${trial.id}/applications`, {
      token: member.token,
      body: {},
    });
    expect(applied.status).toBe(201);
    expectDocumented(R.OwnApplication, applied.body);
    expectDocumented(R.ReviewPage, (await api("GET", `/v1/trials/${trial.id}/reviews`)).body);
    const missing = await api("GET", `/v1/trials/${crypto.randomUUID()}`);
    expect(missing.status).toBe(404);
    expectDocumented(R.ErrorBody, missing.body);
  });
});
