import { formatInstant, type Texts } from "../i18n";
import type { Trial } from "../wire";

/**
 * The trial's status and places as the page renders them; the page script keeps them current
 * from the live room's `status` and `counts` frames (clients/pages/trial-page.ts finds them
 * by `data-trial-status` and `data-count`). Only the status is a live region: counts change
 * up to four times a second in a drop, which a screen reader would read without end.
 */
export function TrialStatus(props: { t: Texts; trial: Trial }) {
  const t = props.t.member;
  const { status, closedReason } = props.trial;
  return (
    <p class="trial-status">
      {t.trialStatusLabel}:{" "}
      <span aria-live="polite" aria-atomic="true">
        <span class={`status trial-status-${status}`} data-trial-status="">
          {t.trialStatus[status]}
        </span>
        <span data-closed-reason="">
          {closedReason ? ` (${t.closedReason[closedReason]})` : ""}
        </span>
      </span>
    </p>
  );
}

export function TrialPlaces(props: { t: Texts; trial: Trial }) {
  const t = props.t.member;
  const locale = props.t.locale;
  const trial = props.trial;
  const figures = [
    ["remaining", t.remaining, trial.remaining],
    ["slots", t.slots, trial.slots],
    ["won", t.won, trial.won],
    ["waitlisted", t.waitlisted, trial.waitlisted],
    ["applicants", t.applicants, trial.applicants],
  ] as const;
  return (
    <section aria-labelledby="places-heading">
      <h2 id="places-heading">{t.placesHeading}</h2>
      <dl class="figures">
        {figures.map(([key, label, value]) => (
          <div>
            <dt>{label}</dt>
            <dd data-count={key}>{value}</dd>
          </div>
        ))}
      </dl>
      {trial.waitlistSize > 0 && <p class="hint">{t.waitlistSize(trial.waitlistSize)}</p>}
      <p>
        {t.opensAt}{" "}
        <time datetime={trial.opensAt} data-countdown="" data-opens-at="">
          {formatInstant(locale, trial.opensAt)}
        </time>
      </p>
      <p>
        {t.closesAt} <time datetime={trial.closesAt}>{formatInstant(locale, trial.closesAt)}</time>
      </p>
    </section>
  );
}
