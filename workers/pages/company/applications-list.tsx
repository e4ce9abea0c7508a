import type { Texts } from "../i18n";
import type { Application, Page } from "../wire";

/**
 * A trial's applications in arrival (`seq`) order, a page at a time (GET
 * /v1/trials/:id/applications?cursor=), with links to the next page and back to the first.
 */
/** In a drop, milliseconds tell arrivals apart: "2026-11-30 16:34:09.123 UTC". */
const toTheMillisecond = (iso: string) =>
  `${new Date(iso).toISOString().replace("T", " ").slice(0, 23)} UTC`;

export function ApplicationsList(props: {
  t: Texts["company"];
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
      {/* Shown by the console's script once applications arrive after this list was read. */}
      <p id="applications-stale" hidden>
        <a href={`${props.path}#applications`}>{t.newApplicationsArrived}</a>
      </p>
      {!page ? (
        <p class="empty">{t.applicationsUnavailable}</p>
      ) : page.items.length === 0 ? (
        <p class="empty">{t.noApplications}</p>
      ) : (
        // Focusable, so a keyboard can scroll it sideways on a narrow screen.
        <section class="table-scroll" tabindex={0} aria-label={t.applicationsCaption}>
          <table class="applications-table">
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
                    <time datetime={a.appliedAt}>{toTheMillisecond(a.appliedAt)}</time>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
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
