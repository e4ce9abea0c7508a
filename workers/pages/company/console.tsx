import { type PageRequest, pageContext } from "../context";
import { formatInstant } from "../i18n";
import { Layout } from "../layout";
import type { Application, Page, Trial } from "../wire";
import { ApplicationsList } from "./applications-list";
import { ChartFigure } from "./chart-figure";
import { ownTrial } from "./own-trial";
import { StatusBadge, statusText } from "./trial-status";

/** Applications per page of the console's list: a phone's screenful or two. */
const APPLICATIONS_PER_PAGE = 25;

/**
 * GET /company/trials/:id: the live console of a trial. The server renders the figures as
 * they are now (so the page reads without script); the script (clients/pages/console.ts)
 * joins the live room as a public watcher and keeps the figures, the status and two charts
 * moving: arrivals per second and places taken against the slots.
 */
export async function consolePage(c: PageRequest) {
  const found = await ownTrial(c);
  if ("answer" in found) return found.answer;
  const { trial } = found;
  const ctx = pageContext(c);
  const t = ctx.t.company;
  const cursor = c.req.query("cursor") ?? null;
  const query = `limit=${APPLICATIONS_PER_PAGE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
  const applications = await c.var.api.json<Page<Application>>(
    "GET",
    `/trials/${trial.id}/applications?${query}`,
  );
  // Refused demand is in the live room's counts once the gate reports it; until then "—".
  const rejected = (trial as Trial & { rejected?: number }).rejected;
  const path = `/company/trials/${trial.id}`;
  return c.html(
    <Layout ctx={ctx} title={t.consoleTitle(trial.title)} page="console">
      <h1>{t.consoleTitle(trial.title)}</h1>
      <div
        id="console"
        data-trial-id={trial.id}
        data-slots={String(trial.slots)}
        data-waitlist-size={String(trial.waitlistSize)}
        data-applicants={String(trial.applicants)}
        data-filled={String(trial.won + trial.waitlisted)}
        data-status={trial.status}
        data-texts={JSON.stringify({
          ...t.live,
          statuses: t.statuses,
          closedReasons: t.closedReasons,
        })}
      >
        <p>
          <StatusBadge t={t} trial={trial} id="console-status" />{" "}
          <span class="hint">
            {t.opensAt}{" "}
            <time datetime={trial.opensAt} data-countdown="">
              {formatInstant(ctx.t.locale, trial.opensAt)}
            </time>
            {" · "}
            {t.closesAt}{" "}
            <time datetime={trial.closesAt}>{formatInstant(ctx.t.locale, trial.closesAt)}</time>
          </span>
        </p>
        {/* Said once per change of status, not per count: a reader is not flooded. */}
        <p id="console-announcer" class="visually-hidden" role="status">
          {statusText(t, trial.status, trial.closedReason)}
        </p>
        <section aria-labelledby="console-now">
          <h2 id="console-now">{t.nowHeading}</h2>
          <dl class="figures">
            <Figure name="remaining" label={t.remaining} value={String(trial.remaining)} />
            <Figure name="won" label={t.wonOfSlots} value={`${trial.won} / ${trial.slots}`} />
            <Figure
              name="waitlisted"
              label={t.waitlistDepth}
              value={`${trial.waitlisted} / ${trial.waitlistSize}`}
            />
            <Figure name="applicants" label={t.applicants} value={String(trial.applicants)} />
            <Figure
              name="rejected"
              label={t.refusedDemand}
              value={rejected === undefined ? "—" : String(rejected)}
            />
            <Figure name="peak" label={t.peakPerSecond} value="—" />
          </dl>
          <p id="console-connection" class="hint">
            {t.live.noScript}
          </p>
        </section>
        <section aria-labelledby="console-charts">
          <h2 id="console-charts">{t.chartsHeading}</h2>
          <div class="chart-grid">
            <ChartFigure
              id="arrivals-chart"
              label={t.arrivalsChartLabel}
              caption={t.arrivalsChartCaption}
              fallback={t.chartNeedsScript}
            />
            <ChartFigure
              id="fill-chart"
              label={t.fillChartLabel(trial.slots, trial.waitlistSize)}
              caption={t.fillChartCaption}
              fallback={t.chartNeedsScript}
            />
          </div>
        </section>
      </div>
      <ul class="action-links">
        <li>
          <a href={`${path}/stats`}>{t.stats}</a>
        </li>
        {trial.status === "SCHEDULED" && (
          <li data-while="SCHEDULED">
            <a href={`${path}/edit`}>{t.edit}</a>
          </li>
        )}
        {(trial.status === "SCHEDULED" || trial.status === "OPEN") && (
          <li data-while="SCHEDULED OPEN">
            <a href={`${path}/cancel`}>{t.cancelTrial}</a>
          </li>
        )}
        <li>
          <a href="/company">{t.backToDashboard}</a>
        </li>
      </ul>
      <ApplicationsList
        t={t}
        page={applications.status === 200 ? applications.body : null}
        cursor={cursor}
        path={path}
      />
    </Layout>,
  );
}

function Figure(props: { name: string; label: string; value: string }) {
  return (
    <div>
      <dt>{props.label}</dt>
      <dd data-figure={props.name}>{props.value}</dd>
    </div>
  );
}
