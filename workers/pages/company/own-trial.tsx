import { type PageRequest, pageContext } from "../context";
import { Layout } from "../layout";
import type { Trial } from "../wire";

/**
 * A trial the viewer runs, read from the API; otherwise the page to answer instead: 404 for
 * no such trial, 403 for another company's (the API's owner rule, said before a page of
 * refusals).
 */
export async function ownTrial(c: PageRequest): Promise<{ trial: Trial } | { answer: Response }> {
  const ctx = pageContext(c);
  const res = await c.var.api.json<Trial>(
    "GET",
    `/trials/${encodeURIComponent(c.req.param("id") ?? "")}`,
  );
  if (res.status !== 200) {
    return {
      answer: await c.html(
        <Layout ctx={ctx} title={ctx.t.common.notFoundTitle}>
          <h1>{ctx.t.common.notFoundTitle}</h1>
          <p>{ctx.t.common.notFoundBody}</p>
          <p>
            <a href="/company">{ctx.t.company.backToDashboard}</a>
          </p>
        </Layout>,
        404,
      ),
    };
  }
  const viewer = c.var.viewer;
  if (viewer?.role !== "ADMIN" && res.body.companyId !== viewer?.id) {
    return {
      answer: await c.html(
        <Layout ctx={ctx} title={ctx.t.company.forbiddenTitle}>
          <h1>{ctx.t.company.forbiddenTitle}</h1>
          <p>{ctx.t.company.notYourTrial}</p>
          <p>
            <a href="/company">{ctx.t.company.backToDashboard}</a>
          </p>
        </Layout>,
        403,
      ),
    };
  }
  return { trial: res.body };
}
