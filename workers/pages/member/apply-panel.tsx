import { FormError, type FormProblem } from "../forms";
import type { Texts } from "../i18n";
import type { Viewer } from "../layout";
import type { Trial } from "../wire";
import type { MyApplication } from "./trial-data";

/**
 * The apply part of the trial page, by who is looking: anyone signed out is asked to log in
 * (and comes back here), a company sees that only members apply, a member who has not
 * applied gets the button. It is a form posting to the page (POST /trials/:id/apply), so it
 * works without script; the script (clients/pages/trial-page.ts) takes the submit over,
 * keeps the button off until the trial opens by the server's clock, and applies in place.
 *
 * Without script the button is on even before the opening: a reader who cannot be told the
 * instant by a countdown can still try, and a click too early shows the API's refusal.
 */
export function ApplyPanel(props: {
  t: Texts;
  viewer: Viewer;
  trial: Trial;
  mine: MyApplication | null;
  problem: FormProblem | null;
}) {
  const { viewer, trial, mine } = props;
  const t = props.t.member;
  const takes = trial.status === "SCHEDULED" || trial.status === "OPEN";
  // A member who applied has their result instead (applying again answers the same one).
  if (viewer?.role === "MEMBER" && mine) return null;
  return (
    <section aria-labelledby="apply-heading" class="apply-panel">
      <h2 id="apply-heading">{t.applyHeading}</h2>
      {!viewer ? (
        takes ? (
          <p>
            <a class="button" href={`/login?next=${encodeURIComponent(`/trials/${trial.id}`)}`}>
              {t.loginToApply}
            </a>
          </p>
        ) : (
          <p>{t.noLongerOpen}</p>
        )
      ) : viewer.role !== "MEMBER" ? (
        <p>{t.companyCannotApply}</p>
      ) : (
        <>
          <p data-closed-note="" hidden={takes}>
            {t.noLongerOpen}
          </p>
          {/* A FULL trial reopens when a place frees up: the form waits, hidden, for that. */}
          {trial.status !== "CANCELLED" && (
            <form
              method="post"
              action={`/trials/${trial.id}/apply`}
              class="stack"
              data-apply-form=""
              hidden={!takes}
            >
              <FormError problem={props.problem} />
              <div class="form-error" role="alert" data-apply-error="" hidden />
              <p>
                <button type="submit" data-apply-button="" aria-describedby="apply-hint">
                  {t.applySubmit}
                </button>
              </p>
              <p class="hint" id="apply-hint">
                {t.applyHint}
              </p>
            </form>
          )}
        </>
      )}
    </section>
  );
}
