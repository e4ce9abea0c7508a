import type { PageRequest } from "../context";
import { type FormProblem, problemOf } from "../forms";
import type { Page, Product, Trial } from "../wire";
import { ownTrial } from "./own-trial";
import { refusalStatus } from "./refusal";
import {
  bodyOf,
  defaultValues,
  TrialFormPage,
  type TrialFormValues,
  valuesOfForm,
  valuesOfTrial,
} from "./trial-form";

/** GET/POST /company/trials/new and /company/trials/:id/edit: the trial form's two uses. */

async function ownProducts(c: PageRequest): Promise<Product[]> {
  const own = encodeURIComponent(c.var.viewer?.id ?? "");
  const res = await c.var.api.json<Page<Product>>("GET", `/products?companyId=${own}&limit=100`);
  return res.status === 200 ? res.body.items : [];
}

async function newTrialForm(c: PageRequest, values: TrialFormValues, problem: FormProblem | null) {
  const t = c.var.texts.company;
  const page = (
    <TrialFormPage
      c={c}
      title={t.newTrialTitle}
      action="/company/trials/new"
      submit={t.createTrial}
      values={values}
      products={await ownProducts(c)}
      problem={problem}
    />
  );
  return problem ? c.html(page, refusalStatus(problem)) : c.html(page);
}

export const newTrialPage = (c: PageRequest) =>
  newTrialForm(c, defaultValues(c.req.query("productId") ?? ""), null);

export async function createTrial(c: PageRequest) {
  const values = valuesOfForm(await c.req.formData());
  const created = await c.var.api.json<Trial>("POST", "/trials", bodyOf(values, true));
  if (created.status !== 201) return newTrialForm(c, values, problemOf(created, c.var.texts));
  return c.redirect(`/company/trials/${created.body.id}`, 303);
}

function editTrialForm(
  c: PageRequest,
  trial: Trial,
  values: TrialFormValues,
  problem: FormProblem | null,
) {
  const t = c.var.texts.company;
  const page = (
    <TrialFormPage
      c={c}
      title={t.editTrialTitle(trial.title)}
      action={`/company/trials/${trial.id}/edit`}
      submit={t.saveTrial}
      values={values}
      products={null}
      problem={problem}
    />
  );
  return problem ? c.html(page, refusalStatus(problem)) : c.html(page);
}

export async function editTrialPage(c: PageRequest) {
  const found = await ownTrial(c);
  if ("answer" in found) return found.answer;
  return editTrialForm(c, found.trial, valuesOfTrial(found.trial), null);
}

/** PATCH while SCHEDULED; once open the API answers 409 and the form shows why. */
export async function saveTrial(c: PageRequest) {
  const found = await ownTrial(c);
  if ("answer" in found) return found.answer;
  const values = valuesOfForm(await c.req.formData());
  const saved = await c.var.api.json<Trial>(
    "PATCH",
    `/trials/${found.trial.id}`,
    bodyOf(values, false),
  );
  if (saved.status !== 200)
    return editTrialForm(c, found.trial, values, problemOf(saved, c.var.texts));
  return c.redirect(`/company/trials/${found.trial.id}`, 303);
}
