import type { FormProblem } from "../forms";

/**
 * The company forms' fields that forms.tsx's `Field` does not cover: a text area, a choice
 * from a list, and an input with a step (a time to the second). Each is labelled, and the
 * API's error for its field is tied to it, as `Field` does.
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

export function TextArea(props: Common & { value?: string; required?: boolean; rows?: number }) {
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

/** An input with a step: whole numbers, or a `datetime-local` to the second (step 1). */
export function SteppedInput(
  props: Common & {
    type: "number" | "datetime-local";
    value?: string;
    required?: boolean;
    min?: number;
    max?: number;
    step?: number;
  },
) {
  const id = `field-${props.name}`;
  const { error, ids } = describedBy(props, id);
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <input
        id={id}
        name={props.name}
        type={props.type}
        value={props.value}
        required={props.required}
        min={props.min}
        max={props.max}
        step={props.step ?? 1}
        inputmode={props.type === "number" ? "numeric" : undefined}
        aria-invalid={error ? "true" : undefined}
        aria-describedby={ids}
      />
      <HintAndError id={id} hint={props.hint} error={error} />
    </div>
  );
}
