import { formatInstant, type Texts } from "../i18n";
import type { Application, Page } from "../wire";

/**
 * A trial's applications in arrival (`seq`) order, a page at a time (GET
 * /v1/trials/:id/applications?cursor=), with links to the next page and back to the first.
 */
export function ApplicationsList(props: {
  t: Texts["company"];
  locale: Texts["locale"];
  page: Page<Application> | null;
  /** The cursor this page was read from (null: the first page). */
  cursor: string | null;
  /** This page's path, to which `?cursor=` is added. */
  path: string;
}) {
  const { t, page } = props;
  return (
    <section aria-labelledby="applications">
      <h2 id="applications">{t.applicationsHeading}</h2>
      {!page ? (
        <p class="empty">{t.applicationsUnavailable}</p>
      ) : page.items.length === 0 ? (
        <p class="empty">{t.noApplications}</p>
      ) : (
        <div class="table-scroll">
          <table>
            <caption class="visually-hidden">{t.applicationsCaption}</caption>
            <thead>
              <tr>
                <th scope="col">{t.seq}</th>
                <th scope="col">{t.applicationStatus}</th>
                <th scope="col">{t.waitlistPosition}</th>
                <th scope="col">{t.appliedAt}</th>
              </tr>
            </thead>
            <tbody>
              {page.items.map((a) => (
                <tr>
                  <td>{a.seq}</td>
                  <td>
                    <span class={`status status-${a.status}`}>
                      {t.applicationStatuses[a.status as keyof typeof t.applicationStatuses] ??
                        a.status}
                    </span>
                  </td>
                  <td>{a.position ?? "—"}</td>
                  <td>
                    <time datetime={a.appliedAt}>{formatInstant(props.locale, a.appliedAt)}</time>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav class="pager" aria-label={t.applicationsPages}>
        {props.cursor && <a href={`${props.path}#applications`}>{t.firstApplications}</a>}
        {page?.nextCursor && (
          <a href={`${props.path}?cursor=${encodeURIComponent(page.nextCursor)}#applications`}>
            {t.nextApplications}
          </a>
        )}
      </nav>
    </section>
  );
}
