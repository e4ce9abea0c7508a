import type { MiddlewareHandler } from "hono";
import { type PagesEnv, pageContext } from "../context";
import { Layout } from "../layout";

/**
 * The company's pages are for COMPANY and ADMIN accounts. Nobody signed in is sent to log in
 * and brought back; a member gets a 403 page that says so (the API would refuse every call
 * these pages make anyway, so a page of empty lists would only mislead).
 */
export const companyOnly: MiddlewareHandler<PagesEnv> = async (c, next) => {
  const viewer = c.var.viewer;
  if (!viewer) {
    const url = new URL(c.req.url);
    return c.redirect(`/login?next=${encodeURIComponent(`${url.pathname}${url.search}`)}`, 303);
  }
  if (viewer.role !== "COMPANY" && viewer.role !== "ADMIN") {
    const ctx = pageContext(c);
    return c.html(
      <Layout ctx={ctx} title={ctx.t.company.forbiddenTitle}>
        <h1>{ctx.t.company.forbiddenTitle}</h1>
        <p>{ctx.t.common.forbidden}</p>
        <p>
          <a href="/">{ctx.t.common.navTrials}</a>
        </p>
      </Layout>,
      403,
    );
  }
  await next();
};
