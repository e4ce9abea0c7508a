/**
 * The trial forms' times. A `datetime-local` input has no zone, so the forms say plainly that
 * the times are UTC, and the page reads them as UTC: one rule, the same for every browser and
 * for a form posted without script. (The script shows the local equivalent beside each input.)
 */

const LOCAL_INPUT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/;

/**
 * "2026-12-01T09:00" or "2026-12-01T09:00:05" as that instant in UTC, in the API's form.
 * Anything else goes to the API as typed, so its own message about the field is shown.
 */
export function utcFromInput(value: string): string {
  if (!LOCAL_INPUT.test(value)) return value;
  const at = new Date(`${value.length === 16 ? `${value}:00` : value}Z`);
  return Number.isNaN(at.getTime()) ? value : at.toISOString();
}

/** An instant as a `datetime-local` value in UTC, to the second. */
export function inputFromUtc(iso: string): string {
  return new Date(iso).toISOString().slice(0, 19);
}
