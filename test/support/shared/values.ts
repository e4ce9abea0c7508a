/** Values the tests of several capabilities compare answers with. */

/** An instant as the API writes it (API.md: ISO 8601, UTC, milliseconds). */
export const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** A well-formed UUID that names nothing: for 404s. */
export const UNKNOWN_ID = "00000000-0000-4000-8000-000000000000";
