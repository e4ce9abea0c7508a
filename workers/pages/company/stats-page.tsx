import { type PageRequest, pageContext } from "../context";
import { formatInstant, type Texts } from "../i18n";
import { Layout } from "../layout";
import type { Page, TrialStats } from "../wire";
import { ChartFigure } from "./chart-figure";
import { ownTrial } from "./own-trial";
import { type ChartSpec, cumulative, perMinuteSeries, ratingCounts } from "./stats-series";

type Review = { rating: number };
type ReviewPage = Page<Review> & { summary: { count: number; average: number | null } };

/** At most this many pages of reviews are read for the distribution (100 each). */
const REVIEW_PAGES = 10;

async function allRatings(c: PageRequest, trialId: string) {
  const ratings: number[] = [];
  let summary: ReviewPage["summary"] = { count: 0, average: null };
  let cursor: string | null = null;
  for (let i = 0; i < REVIEW_PAGES; i++) {
    const query: string = `limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
    const res = await c.var.api.json<ReviewPage>("GET", `/trials/${trialId}/reviews?${query}`);
    if (res.status !== 200) break;
    summary = res.body.summary;
    ratings.push(...res.body.items.map((r) => r.rating));
    cursor = res.body.nextCursor;
    if (!cursor) break;
  }
  return { ratings, summary };
}

/**
 * GET /company/trials/:id/stats: the trial's statistics (built by a job, API.md) as charts:
 * the fill curve, arrivals per minute, and the reviews' ratings; the key figures beside
 * them, and each chart's numbers in a table a reader can open.
 */
export async function statsPage(c: PageRequest) {
  const found = await ownTrial(c);
  if ("answer" in found) return found.answer;
  const { trial } = found;
  const ctx = pageContext(c);
  const t = ctx.t.company;
  const [stats, reviews] = await Promise.all([
    c.var.api.json<TrialStats>("GET", `/stats/trials/${trial.id}`),
    allRatings(c, trial.id),
  ]);
  return c.html(
    <Layout ctx={ctx} title={t.statsTitle(trial.title)} page="stats">
      <h1>{t.statsTitle(trial.title)}</h1>
      {stats.status === 200 ? (
        <StatsBody
          t={t}
          locale={ctx.t.locale}
          stats={stats.body}
          waitlistSize={trial.waitlistSize}
          reviews={reviews}
        />
      ) : (
        <p class="empty">{t.statsNotReady}</p>
      )}
      <ul class="action-links">
        <li>
          <a href={`/company/trials/${trial.id}`}>{t.console}</a>
        </li>
        <li>
          <a href="/company">{t.backToDashboard}</a>
        </li>
      </ul>
    </Layout>,
  );
}

function StatsBody(props: {
  t: Texts["company"];
  locale: Texts["locale"];
  stats: TrialStats;
  waitlistSize: number;
  reviews: { ratings: number[]; summary: ReviewPage["summary"] };
}) {
  const { t, stats, locale } = props;
  const minutes = perMinuteSeries(stats);
  const filled = cumulative(minutes.y);
  // The fill curve starts from nothing at the opening (or the first minute with arrivals)
  // and counts to each minute's end: per-minute counts are all the statistics keep.
  const opened = Math.floor(Date.parse(stats.openedAt) / 1000);
  const start = Math.min(opened, (minutes.x[0] ?? opened) + 59);
  const fillX = minutes.x.length ? [start, ...minutes.x.map((at) => at + 60)] : [];
  const fillY = minutes.x.length ? [0, ...filled] : [];
  const ratings = ratingCounts(props.reviews.ratings);
  const minuteLabel = (at: number) => formatInstant(locale, new Date(at * 1000).toISOString());
  const average = props.reviews.summary.average;
  return (
    <>
      <p class="hint">{t.computedAt(formatInstant(locale, stats.computedAt))}</p>
      <dl class="figures">
        <StatFigure label={t.applicants} value={stats.applicants} />
        <StatFigure label={t.wonOfSlots} value={`${stats.won} / ${stats.slots}`} />
        <StatFigure label={t.waitlisted} value={stats.waitlisted} />
        <StatFigure label={t.refusedDemand} value={stats.rejected} />
        <StatFigure label={t.cancelled} value={stats.cancelled} />
        <StatFigure label={t.promoted} value={stats.promoted} />
        <StatFigure
          label={t.timeToFill}
          value={stats.secondsToFill === null ? t.notFilled : t.seconds(stats.secondsToFill)}
        />
        <StatFigure label={t.peakPerSecond} value={stats.peakPerSecond} />
      </dl>
      <div class="chart-grid">
        <ChartFigure
          id="stats-fill-chart"
          label={t.statsFillLabel(filled.at(-1) ?? 0, stats.slots)}
          caption={t.statsFillCaption}
          fallback={t.chartNeedsScript}
          data={
            {
              time: true,
              x: fillX,
              series: [
                { label: t.applicationsSoFar, y: fillY, style: "line", colour: "accent" },
                {
                  label: t.slots,
                  y: fillX.map(() => stats.slots),
                  style: "limit",
                  colour: "won",
                },
                {
                  label: t.live.capacityLine,
                  y: fillX.map(() => stats.slots + props.waitlistSize),
                  style: "limit",
                  colour: "wait",
                },
              ],
            } satisfies ChartSpec
          }
        >
          <NumbersTable
            t={t}
            head={[t.minute, t.applicationsByMinuteEnd]}
            rows={minutes.x.map((at, i) => [minuteLabel(at), String(filled[i] ?? 0)])}
          />
        </ChartFigure>
        <ChartFigure
          id="stats-arrivals-chart"
          label={t.statsArrivalsLabel(Math.max(0, ...minutes.y))}
          caption={t.statsArrivalsCaption}
          fallback={t.chartNeedsScript}
          data={
            {
              time: true,
              step: 60,
              x: minutes.x,
              series: [
                { label: t.applicationsInMinute, y: minutes.y, style: "bars", colour: "accent" },
              ],
            } satisfies ChartSpec
          }
        >
          <NumbersTable
            t={t}
            head={[t.minute, t.applicationsInMinute]}
            rows={minutes.x.map((at, i) => [minuteLabel(at), String(minutes.y[i] ?? 0)])}
          />
        </ChartFigure>
      </div>
      <section aria-labelledby="stats-reviews">
        <h2 id="stats-reviews">{t.reviewsHeading}</h2>
        <dl class="figures">
          <StatFigure label={t.reviewCount} value={props.reviews.summary.count} />
          <StatFigure label={t.reviewAverage} value={average === null ? "—" : average.toFixed(2)} />
        </dl>
        {props.reviews.summary.count === 0 ? (
          <p class="empty">{t.noReviews}</p>
        ) : (
          <ChartFigure
            id="stats-ratings-chart"
            label={t.ratingsLabel(ratings)}
            caption={t.ratingsCaption}
            fallback={t.chartNeedsScript}
            data={
              {
                time: false,
                step: 1,
                x: [1, 2, 3, 4, 5],
                series: [{ label: t.reviewCount, y: ratings, style: "bars", colour: "accent" }],
              } satisfies ChartSpec
            }
          >
            <NumbersTable
              t={t}
              head={[t.rating, t.reviewCount]}
              rows={ratings.map((n, i) => [t.stars(i + 1), String(n)])}
            />
          </ChartFigure>
        )}
      </section>
    </>
  );
}

function StatFigure(props: { label: string; value: string | number }) {
  return (
    <div>
      <dt>{props.label}</dt>
      <dd>{props.value}</dd>
    </div>
  );
}

/** A chart's numbers, folded away under the chart: the chart is the view, this is for reading. */
function NumbersTable(props: { t: Texts["company"]; head: [string, string]; rows: string[][] }) {
  return (
    <details class="chart-numbers">
      <summary>{props.t.showNumbers}</summary>
      <div class="table-scroll">
        <table>
          <thead>
            <tr>
              <th scope="col">{props.head[0]}</th>
              <th scope="col">{props.head[1]}</th>
            </tr>
          </thead>
          <tbody>
            {props.rows.map(([a, b]) => (
              <tr>
                <td>{a}</td>
                <td>{b}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}
