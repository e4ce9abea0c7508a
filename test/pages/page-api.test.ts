import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { type AppFetch, pageApi } from "../../workers/pages/session/api";

/**
 * A page reads the API through pageApi (docs/decisions/0038). Every /v1 route answers JSON,
 * but the runtime itself may not: a page must then see an error in the API's shape, never
 * throw on the parse.
 */

/** A page server whose API answers `answer`; the page returns what pageApi made of it. */
async function pageSees(answer: () => Response) {
  const appFetch: AppFetch = () => answer();
  const pages = new Hono().get("/page", async (c) => {
    const { status, body } = await pageApi(c, appFetch).json("GET", "/trials");
    return c.json({ status, body });
  });
  const res = await pages.request("http://tryit.test/page");
  expect(res.status).toBe(200);
  return (await res.json()) as { status: number; body: unknown };
}

describe("what a page makes of the API's answer", () => {
  it("a JSON answer as it came, with its status", async () => {
    const seen = await pageSees(() => Response.json({ items: [1] }, { status: 200 }));
    expect(seen).toEqual({ status: 200, body: { items: [1] } });
  });

  it("an empty answer as null", async () => {
    expect(await pageSees(() => new Response(null, { status: 204 }))).toEqual({
      status: 204,
      body: null,
    });
  });

  it("a plain-text 500 from the runtime as a 502 INTERNAL in the error shape", async () => {
    const seen = await pageSees(() => new Response("Internal Server Error", { status: 500 }));
    expect(seen).toEqual({
      status: 502,
      body: {
        error: {
          code: "INTERNAL",
          message: "the API answered 500 without a JSON body",
          details: [],
        },
      },
    });
  });

  it("an HTML page that claims success as a 502 too, never as data", async () => {
    const seen = await pageSees(() => new Response("<html>proxy</html>", { status: 200 }));
    expect(seen.status).toBe(502);
    expect(seen.body).toMatchObject({ error: { code: "INTERNAL" } });
  });
});
