import type { ErrorCode } from "../../core/vocabulary/error-codes";
import type { Texts } from "./i18n";
import type { ErrorBody } from "./wire";

/**
 * Forms post to the page, the page asks the API, and a refusal is shown beside the form:
 * its message in the page's language (i18n/errors.ts; English shows the API's own) and, per
 * field, the API's details (so its validation rules exist once).
 */
export type FormProblem = { status: number; message: string; fields: Record<string, string> };

/** The API's refusal (status and error body) as a form shows it. */
export function problemOf(answer: { status: number; body: unknown }, t: Texts): FormProblem {
  const { status, body } = answer;
  const error = (body as Partial<ErrorBody> | null)?.error;
  const fields: Record<string, string> = {};
  for (const detail of error?.details ?? []) fields[detail.path] ??= detail.message;
  const code = error?.code as ErrorCode | undefined;
  const message = (code && t.errors[code]) || error?.message || "";
  return { status, message, fields };
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
