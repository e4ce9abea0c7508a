import type { FormProblem } from "./forms";

/**
 * The pages' form fields: an input, a text area and a choice from a list. Each is labelled,
 * its hint and the API's error for its field (from the answer's details, problemOf) are tied
 * to it for screen readers, so the API's validation rules are shown, never repeated here.
 */

type Common = { name: string; label: string; hint?: string; problem?: FormProblem | null };

function describedBy(props: Common, id: string) {
  const error = props.problem?.fields[props.name];
  const ids = [props.hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(" ");
  return { error, ids: ids || undefined };
}

function HintAndError(props: { id: string; hint?: string; error?: string }) {
  return (
    <>
      {props.hint && (
        <p class="hint" id={`${props.id}-hint`}>
          {props.hint}
        </p>
      )}
      {props.error && (
        <p class="field-error" id={`${props.id}-error`}>
          {props.error}
        </p>
      )}
    </>
  );
}

export function TextArea(
  props: Common & { value?: string; required?: boolean; rows?: number; maxlength?: number },
) {
  const id = `field-${props.name}`;
  const { error, ids } = describedBy(props, id);
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <textarea
        id={id}
        name={props.name}
        rows={props.rows ?? 5}
        required={props.required}
        maxlength={props.maxlength}
        aria-invalid={error ? "true" : undefined}
        aria-describedby={ids}
      >
        {props.value ?? ""}
      </textarea>
      <HintAndError id={id} hint={props.hint} error={error} />
    </div>
  );
}

export function Select(
  props: Common & { value?: string; options: { value: string; label: string }[] },
) {
  const id = `field-${props.name}`;
  const { error, ids } = describedBy(props, id);
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <select
        id={id}
        name={props.name}
        aria-invalid={error ? "true" : undefined}
        aria-describedby={ids}
      >
        {props.options.map((o) => (
          <option value={o.value} selected={o.value === props.value}>
            {o.label}
          </option>
        ))}
      </select>
      <HintAndError id={id} hint={props.hint} error={error} />
    </div>
  );
}

/** An input: text by default; numbers and `datetime-local` times take a step (1 by default). */
export function Field(
  props: Common & {
    type?: string;
    value?: string;
    required?: boolean;
    autocomplete?: string;
    min?: number | string;
    max?: number | string;
    step?: number;
    accept?: string;
  },
) {
  const id = `field-${props.name}`;
  const { error, ids } = describedBy(props, id);
  const stepped = props.type === "number" || props.type === "datetime-local";
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
        step={stepped ? (props.step ?? 1) : undefined}
        inputmode={props.type === "number" ? "numeric" : undefined}
        accept={props.accept}
        aria-invalid={error ? "true" : undefined}
        aria-describedby={ids}
      />
      <HintAndError id={id} hint={props.hint} error={error} />
    </div>
  );
}
