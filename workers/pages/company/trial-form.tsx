import { type PageRequest, pageContext } from "../context";
import { Field, Select, TextArea } from "../form-fields";
import { FormError, type FormProblem, fieldText } from "../forms";
import { Layout } from "../layout";
import type { Product, Trial } from "../wire";
import { inputFromUtc, utcFromInput } from "./trial-times";

/**
 * The trial form, for a new trial and for changing a scheduled one. Times are typed in UTC
 * (trial-times.ts says why); the page script shows each in the viewer's own zone beside it.
 */

export type TrialFormValues = Record<
  | "productId"
  | "title"
  | "description"
  | "slots"
  | "waitlistSize"
  | "opensAt"
  | "closesAt"
  | "ordering"
  | "shuffleSeconds",
  string
>;

const ORDERINGS = ["strict", "shuffle-at-open", "draw"] as const;

export function valuesOfForm(form: FormData): TrialFormValues {
  const get = (name: string) => fieldText(form, name);
  return {
    productId: get("productId"),
    title: get("title"),
    description: get("description"),
    slots: get("slots"),
    waitlistSize: get("waitlistSize"),
    opensAt: get("opensAt"),
    closesAt: get("closesAt"),
    ordering: get("ordering") || "strict",
    shuffleSeconds: get("shuffleSeconds"),
  };
}

export function valuesOfTrial(trial: Trial): TrialFormValues {
  return {
    productId: trial.productId,
    title: trial.title,
    description: trial.description,
    slots: String(trial.slots),
    waitlistSize: String(trial.waitlistSize),
    opensAt: inputFromUtc(trial.opensAt),
    closesAt: inputFromUtc(trial.closesAt),
    ordering: trial.ordering,
    shuffleSeconds: trial.shuffleSeconds === null ? "" : String(trial.shuffleSeconds),
  };
}

/** A new trial's starting values: opening in an hour, on the minute, for a day. */
export function defaultValues(productId: string, now = Date.now()): TrialFormValues {
  const opens = Math.ceil((now + 3_600_000) / 60_000) * 60_000;
  return {
    productId,
    title: "",
    description: "",
    slots: "10",
    waitlistSize: "0",
    opensAt: inputFromUtc(new Date(opens).toISOString()),
    closesAt: inputFromUtc(new Date(opens + 86_400_000).toISOString()),
    ordering: "strict",
    shuffleSeconds: "",
  };
}

/** A number field as a number; anything else as typed, so the API names what is wrong. */
const numberOf = (text: string): unknown => {
  const trimmed = text.trim();
  if (trimmed === "") return undefined;
  const n = Number(trimmed);
  return Number.isFinite(n) ? n : trimmed;
};

/** The API's body (POST /v1/trials, or PATCH without the product) from the form's values. */
export function bodyOf(values: TrialFormValues, withProduct: boolean): Record<string, unknown> {
  const body: Record<string, unknown> = {
    title: values.title,
    description: values.description,
    slots: numberOf(values.slots),
    waitlistSize: numberOf(values.waitlistSize) ?? 0,
    opensAt: utcFromInput(values.opensAt),
    closesAt: utcFromInput(values.closesAt),
    ordering: values.ordering,
  };
  if (withProduct) body.productId = values.productId;
  const shuffle = numberOf(values.shuffleSeconds);
  if (shuffle !== undefined) body.shuffleSeconds = shuffle;
  return body;
}

export function TrialFormPage(props: {
  c: PageRequest;
  title: string;
  action: string;
  submit: string;
  values: TrialFormValues;
  /** The company's products to choose from (a new trial); none when editing. */
  products: Product[] | null;
  problem: FormProblem | null;
}) {
  const ctx = pageContext(props.c);
  const t = ctx.t.company;
  const { values, problem } = props;
  // A trial is of a product: with none yet, the way there instead of a form that must fail.
  if (props.products?.length === 0) {
    return (
      <Layout ctx={ctx} title={props.title}>
        <h1>{props.title}</h1>
        <p>{t.noProductForTrial}</p>
        <p>
          <a class="button" href="/company/products/new">
            {t.newProduct}
          </a>
        </p>
      </Layout>
    );
  }
  return (
    <Layout ctx={ctx} title={props.title} page="trial-form">
      <h1>{props.title}</h1>
      <form method="post" action={props.action} class="stack" data-local-label={t.localTime}>
        <FormError problem={problem} />
        {props.products && (
          <Select
            name="productId"
            label={t.trialProduct}
            value={values.productId}
            options={props.products.map((p) => ({ value: p.id, label: p.name }))}
            problem={problem}
          />
        )}
        <Field name="title" label={t.trialTitle} value={values.title} required problem={problem} />
        <TextArea
          name="description"
          label={t.trialDescription}
          value={values.description}
          problem={problem}
        />
        <Field
          name="slots"
          type="number"
          label={t.slots}
          value={values.slots}
          min={1}
          max={100000}
          required
          problem={problem}
        />
        <Field
          name="waitlistSize"
          type="number"
          label={t.waitlistSize}
          hint={t.waitlistHint}
          value={values.waitlistSize}
          min={0}
          max={100000}
          problem={problem}
        />
        <Field
          name="opensAt"
          type="datetime-local"
          label={t.opensAtUtc}
          hint={t.utcHint}
          value={values.opensAt}
          required
          problem={problem}
        />
        <Field
          name="closesAt"
          type="datetime-local"
          label={t.closesAtUtc}
          hint={t.utcHint}
          value={values.closesAt}
          required
          problem={problem}
        />
        <Select
          name="ordering"
          label={t.ordering}
          value={values.ordering}
          options={ORDERINGS.map((o) => ({ value: o, label: t.orderings[o] }))}
          problem={problem}
        />
        <Field
          name="shuffleSeconds"
          type="number"
          label={t.shuffleSeconds}
          hint={t.shuffleHint}
          value={values.shuffleSeconds}
          min={1}
          max={600}
          problem={problem}
        />
        <button type="submit">{props.submit}</button>
      </form>
      <p>
        <a href="/company">{t.backToDashboard}</a>
      </p>
    </Layout>
  );
}
