import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { pageRouteKeys } from "../../workers/pages";
import { createTrial, createUser, type TestUser } from "../support/workerd/fixtures";

/**
 * Bad input on every page route, by class (the pages' counterpart of the OpenAPI fuzzer):
 * each route the pages mount (pageRouteKeys, so a new page is covered without editing this)
 * gets odd ids, odd queries and odd bodies, anonymously and as a member and a company, and
 * must answer below 500, with forms refused by media type, size and parse before any handler.
 */

const ORIGIN = "http://tryit.test";
const page = (path: string, init: RequestInit = {}) =>
  exports.default.fetch(new Request(`${ORIGIN}${path}`, { redirect: "manual", ...init }));

const ODD_PARAMS = [
  "00000000-0000-4000-8000-000000000000",
  "not-an-id",
  "%00",
  "x".repeat(2000),
  "%E0%A4%A",
];
const ODD_QUERY = "?cursor=%%%&lang=xx&next=//evil.example&productId=%00&status=NOPE&limit=-1";

const FORM_BODIES: [string, RequestInit][] = [
  ["empty form", { headers: { "content-type": "application/x-www-form-urlencoded" }, body: "" }],
  [
    "odd fields",
    {
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        email: "\u0000@x",
        password: "p".repeat(10_000),
        name: "\u0000",
        slots: "-5",
        opensAt: "yesterday",
        rating: "11",
        title: "",
        role: "ADMIN",
      }).toString(),
    },
  ],
  [
    "a multipart form with a file that is no image",
    (() => {
      const form = new FormData();
      form.set("image", new File([new Uint8Array([1, 2, 3])], "x.png", { type: "image/png" }));
      form.set("name", "n");
      return { body: form };
    })(),
  ],
  [
    "broken multipart",
    { headers: { "content-type": "multipart/form-data; boundary=zz" }, body: "--zz\r\nnope" },
  ],
];

async function sessionCookie(user: TestUser | null): Promise<Record<string, string>> {
  return user ? { cookie: `tryit_access=${user.token}` } : {};
}

function concrete(path: string, param: string): string {
  return path.replace(/:\w+/g, param);
}

describe("every page route, bad input", () => {
  const routes = [...pageRouteKeys()].map((key) => {
    const [method, path] = key.split(" ") as [string, string];
    return { method, path };
  });

  it("knows the page routes it covers", () => {
    expect(routes.length).toBeGreaterThanOrEqual(6);
  });

  it("never answers 500, for anyone", async () => {
    const company = await createUser("COMPANY");
    const member = await createUser("MEMBER");
    const trial = await createTrial(company);
    const params = [...ODD_PARAMS, trial.id];
    const failures: string[] = [];
    for (const viewer of [null, member, company]) {
      const headers = await sessionCookie(viewer);
      for (const { method, path } of routes) {
        for (const param of path.includes(":") ? params : [""]) {
          const url = `${concrete(path, param)}${ODD_QUERY}`;
          const attempts: [string, RequestInit][] =
            method === "GET"
              ? [["GET", { headers }]]
              : FORM_BODIES.map(([name, init]) => [
                  name,
                  {
                    ...init,
                    method,
                    headers: { ...headers, origin: ORIGIN, ...(init.headers as object) },
                  },
                ]);
          for (const [name, init] of attempts) {
            const res = await page(url, init);
            await res.arrayBuffer();
            if (res.status >= 500)
              failures.push(`${method} ${url.slice(0, 80)} (${name}): ${res.status}`);
          }
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it("refuses a form of another media type (415), too large (413) or from another origin (403)", async () => {
    const post = (init: RequestInit) => page("/login", { method: "POST", ...init });
    const json = await post({
      headers: { origin: ORIGIN, "content-type": "application/json" },
      body: JSON.stringify({ email: "a@b.test", password: "whatever1" }),
    });
    expect(json.status).toBe(415);
    const huge = await post({
      headers: { origin: ORIGIN, "content-type": "application/x-www-form-urlencoded" },
      body: `email=${"a".repeat(7 * 1024 * 1024)}`,
    });
    expect(huge.status).toBe(413);
    const foreign = await post({
      headers: {
        origin: "https://evil.example",
        "content-type": "application/x-www-form-urlencoded",
      },
      body: "email=a%40b.test&password=whatever1",
    });
    expect(foreign.status).toBe(403);
  });
});
