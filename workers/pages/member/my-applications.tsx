import { type PageRequest, pageContext } from "../context";
import { formatInstant } from "../i18n";
import { Layout } from "../layout";
import type { Application, Page, Trial } from "../wire";
import { fill } from "./live-texts";

/**
 * GET /me/applications: the member's applications, newest first (GET /v1/me/applications),
 * each with its trial's title and a link to the trial page; "older" follows the API's
 * cursor. The list is Postgres's, so an application decided a moment ago may take a moment
 * to appear; the trial page reads the gate and shows it at once.
 */
export async function myApplicationsPage(c: PageRequest) {
  const ctx = pageContext(c);
  const t = ctx.t.member;
  const title = t.myApplicationsTitle;
  if (ctx.viewer?.role !== "MEMBER") {
    return c.html(
      <Layout ctx={ctx} title={title}>
        <h1>{title}</h1>
        {ctx.viewer ? (
          <p>{t.membersOnly}</p>
        ) : (
          <p>
            {ctx.t.common.loginRequired}{" "}
            <a href="/login?next=%2Fme%2Fapplications">{ctx.t.common.navLogin}</a>
          </p>
        )}
      </Layout>,
      ctx.viewer ? 403 : 401,
    );
  }
  const cursor = c.req.query("cursor");
  const query = `limit=20${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
  const res = await c.var.api.json<Page<Application>>("GET", `/me/applications?${query}`);
  if (res.status !== 200) {
    return c.html(
      <Layout ctx={ctx} title={title}>
        <h1>{title}</h1>
        <p role="alert">
          {res.status === 400 ? ctx.t.common.notFoundBody : ctx.t.common.errorBody}
        </p>
      </Layout>,
      res.status === 400 ? 400 : 503,
    );
  }
  const { items, nextCursor } = res.body;
  const titles = await trialTitles(c, items);
  return c.html(
    <Layout ctx={ctx} title={title} page="my-applications">
      <h1>{title}</h1>
      {items.length === 0 ? (
        <p class="empty">{t.noApplications}</p>
      ) : (
        <div class="table-scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">{t.columnTrial}</th>
                <th scope="col">{t.columnStatus}</th>
                <th scope="col">{t.columnApplied}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((a) => (
                <tr>
                  <td>
                    <a href={`/trials/${a.trialId}`}>{titles.get(a.trialId) ?? t.unknownTrial}</a>
                  </td>
                  <td>
                    <span class={`status status-${a.status}`}>{t.statusShort[a.status]}</span>
                    {a.status === "WAITLISTED" && a.position !== null && (
                      <span class="hint"> · {fill(t.waitingPosition, a.position)}</span>
                    )}
                  </td>
                  <td>
                    <time datetime={a.appliedAt}>{formatInstant(ctx.t.locale, a.appliedAt)}</time>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {nextCursor && (
        <p>
          <a href={`/me/applications?cursor=${encodeURIComponent(nextCursor)}`}>
            {t.olderApplications}
          </a>
        </p>
      )}
    </Layout>,
  );
}

/** Each listed application's trial, asked once per trial (a page holds at most 20). */
async function trialTitles(c: PageRequest, items: Application[]): Promise<Map<string, string>> {
  const titles = new Map<string, string>();
  await Promise.all(
    [...new Set(items.map((a) => a.trialId))].map(async (id) => {
      const res = await c.var.api.json<Trial>("GET", `/trials/${id}`);
      if (res.status === 200) titles.set(id, res.body.title);
    }),
  );
  return titles;
}
