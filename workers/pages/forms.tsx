import type { ErrorBody } from "./wire";

/**
 * Forms post to the page, the page asks the API, and a refusal is shown beside the form:
 * the API's own message and, per field, its details (so its validation rules exist once).
 */
export type FormProblem = { status: number; message: string; fields: Record<string, string> };

/** The API's refusal (status and error body) as a form shows it. */
export function problemOf(answer: { status: number; body: unknown }): FormProblem {
  const { status, body } = answer;
  const error = (body as Partial<ErrorBody> | null)?.error;
  const fields: Record<string, string> = {};
  for (const detail of error?.details ?? []) fields[detail.path] ??= detail.message;
  return { status, message: error?.message ?? "", fields };
}

/** A form field's text: a missing or repeated field reads as one string. */
export function fieldText(form: FormData, name: string): string {
  const value = form.get(name);
  return typeof value === "string" ? value : "";
}

export function FormError(props: { problem: FormProblem | null }) {
  if (!props.problem) return null;
  return (
    <div class="form-error" role="alert">
      <p>{props.problem.message}</p>
    </div>
  );
}

/** A labelled input; its error (from the API's details) is tied to it for screen readers. */
export function Field(props: {
  name: string;
  label: string;
  type?: string;
  value?: string;
  hint?: string;
  required?: boolean;
  autocomplete?: string;
  problem?: FormProblem | null;
  min?: string | number;
  max?: string | number;
  accept?: string;
}) {
  const id = `field-${props.name}`;
  const error = props.problem?.fields[props.name];
  const described = [props.hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(" ");
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <input
        id={id}
        name={props.name}
        type={props.type ?? "text"}
        value={props.value}
        required={props.required}
        autocomplete={props.autocomplete}
        min={props.min}
        max={props.max}
        accept={props.accept}
        aria-invalid={error ? "true" : undefined}
        aria-describedby={described || undefined}
      />
      {props.hint && (
        <p class="hint" id={`${id}-hint`}>
          {props.hint}
        </p>
      )}
      {error && (
        <p class="field-error" id={`${id}-error`}>
          {error}
        </p>
      )}
    </div>
  );
}
