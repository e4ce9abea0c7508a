import { type PageRequest, pageContext } from "../context";
import { FormError, type FormProblem, fieldText, problemOf } from "../forms";
import { Layout } from "../layout";
import type { Trial } from "../wire";
import { ownTrial } from "./own-trial";
import { refusalStatus } from "./refusal";

/**
 * GET/POST /company/trials/:id/cancel. Cancelling tells every winner and waiting member and
 * cannot be undone, so it takes two steps that need no script: this page asks, its form
 * (with `confirm=yes`) does it. A POST without the confirmation only shows the question.
 */

function ConfirmCancel(props: { c: PageRequest; trial: Trial; problem: FormProblem | null }) {
  const ctx = pageContext(props.c);
  const t = ctx.t.company;
  const { trial } = props;
  return (
    <Layout ctx={ctx} title={t.cancelTitle(trial.title)}>
      <h1>{t.cancelTitle(trial.title)}</h1>
      <FormError problem={props.problem} />
      <p>{t.cancelWarning(trial.won, trial.waitlisted)}</p>
      <form method="post" action={`/company/trials/${trial.id}/cancel`} class="button-row">
        <input type="hidden" name="confirm" value="yes" />
        <button type="submit" class="danger">
          {t.cancelConfirm}
        </button>
        <a class="button secondary-link" href={`/company/trials/${trial.id}`}>
          {t.cancelKeep}
        </a>
      </form>
    </Layout>
  );
}

export async function cancelTrialPage(c: PageRequest) {
  const found = await ownTrial(c);
  if ("answer" in found) return found.answer;
  return c.html(<ConfirmCancel c={c} trial={found.trial} problem={null} />);
}

export async function cancelTrial(c: PageRequest) {
  const found = await ownTrial(c);
  if ("answer" in found) return found.answer;
  const form = await c.req.formData();
  if (fieldText(form, "confirm") !== "yes") {
    return c.redirect(`/company/trials/${found.trial.id}/cancel`, 303);
  }
  const res = await c.var.api.json<Trial>("POST", `/trials/${found.trial.id}/cancel`, {});
  if (res.status !== 200) {
    const problem = problemOf(res, c.var.texts);
    return c.html(
      <ConfirmCancel c={c} trial={found.trial} problem={problem} />,
      refusalStatus(problem),
    );
  }
  return c.redirect(`/company/trials/${found.trial.id}`, 303);
}
