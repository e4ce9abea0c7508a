import { Field, TextArea } from "../form-fields";
import { FormError, type FormProblem, fieldText } from "../forms";
import type { Texts } from "../i18n";
import type { Review, Trial } from "../wire";
import type { MyApplication } from "./trial-data";

/** What a refused after-win form was given back, to show it again with the API's errors. */
export type Refused = { problem: FormProblem; form: FormData } | null;

/**
 * After the win (API.md): the winner confirms a shipping address, then reviews. Both are
 * forms posting to the page. A member who may still win (not applied yet, waiting, pending a
 * draw) gets them hidden, and the script shows them when a WON arrives live; without script
 * the page after the redirect shows them.
 */
export function AfterWin(props: {
  t: Texts;
  trial: Trial;
  mine: MyApplication | null;
  myReview: Review | null;
  confirm: Refused;
  review: Refused;
}) {
  const a = props.mine?.application ?? null;
  if (a && (a.status === "CANCELLED" || a.status === "NOT_SELECTED")) return null;
  const won = a?.status === "WON";
  return (
    <>
      {!a?.confirmedAt && (
        <ConfirmForm t={props.t} trial={props.trial} hidden={!won} refused={props.confirm} />
      )}
      {props.myReview ? (
        <ReviewShown t={props.t} review={props.myReview} />
      ) : (
        <ReviewForm t={props.t} trial={props.trial} hidden={!won} refused={props.review} />
      )}
    </>
  );
}

function ConfirmForm(props: { t: Texts; trial: Trial; hidden: boolean; refused: Refused }) {
  const t = props.t.member;
  const problem = props.refused?.problem ?? null;
  const value = (name: string) => (props.refused ? fieldText(props.refused.form, name) : undefined);
  return (
    <section aria-labelledby="confirm-heading" data-after-win="confirm" hidden={props.hidden}>
      <h2 id="confirm-heading">{t.confirmHeading}</h2>
      <p>{t.confirmIntro}</p>
      <form method="post" action={`/trials/${props.trial.id}/confirm`} class="stack">
        <FormError problem={problem} />
        <Field
          name="recipient"
          label={t.recipient}
          value={value("recipient")}
          required
          autocomplete="name"
          problem={problem}
        />
        <Field
          name="phone"
          type="tel"
          label={t.phone}
          value={value("phone")}
          required
          autocomplete="tel"
          problem={problem}
        />
        <Field
          name="address"
          label={t.address}
          value={value("address")}
          required
          autocomplete="street-address"
          problem={problem}
        />
        <p>
          <button type="submit">{t.confirmSubmit}</button>
        </p>
      </form>
    </section>
  );
}

function ReviewForm(props: { t: Texts; trial: Trial; hidden: boolean; refused: Refused }) {
  const t = props.t.member;
  const problem = props.refused?.problem ?? null;
  const form = props.refused?.form;
  const rating = form ? fieldText(form, "rating") : "";
  const ratingError = problem?.fields.rating;
  return (
    <section aria-labelledby="review-heading" data-after-win="review" hidden={props.hidden}>
      <h2 id="review-heading">{t.reviewHeading}</h2>
      <form method="post" action={`/trials/${props.trial.id}/review`} class="stack">
        <FormError problem={problem} />
        <fieldset aria-describedby={ratingError ? "rating-error" : undefined}>
          <legend>{t.rating}</legend>
          <div class="rating-choices">
            {[1, 2, 3, 4, 5].map((n) => (
              <label class="choice">
                <input
                  type="radio"
                  name="rating"
                  value={String(n)}
                  required
                  checked={rating === String(n)}
                />{" "}
                {t.ratingValue(n)}
              </label>
            ))}
          </div>
          {ratingError && (
            <p class="field-error" id="rating-error">
              {ratingError}
            </p>
          )}
        </fieldset>
        <Field
          name="title"
          label={t.reviewTitle}
          value={form ? fieldText(form, "title") : undefined}
          required
          problem={problem}
        />
        <TextArea
          name="body"
          label={t.reviewBody}
          value={form ? fieldText(form, "body") : ""}
          required
          maxlength={5000}
          problem={problem}
        />
        <p>
          <button type="submit">{t.reviewSubmit}</button>
        </p>
      </form>
    </section>
  );
}

function ReviewShown(props: { t: Texts; review: Review }) {
  const t = props.t.member;
  return (
    <section aria-labelledby="review-heading" class="my-review">
      <h2 id="review-heading">{t.yourReview}</h2>
      <p>{t.yourRating(props.review.rating)}</p>
      <h3>{props.review.title}</h3>
      <p class="review-body">{props.review.body}</p>
    </section>
  );
}
