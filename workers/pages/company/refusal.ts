import type { FormProblem } from "../forms";

/**
 * The status a page answers with when it shows the API's refusal on its form: the API's own
 * 4xx (400, 403, 409, 413, 415, 429…), and 503 for anything else (the form is fine, the
 * service is not).
 */
export const refusalStatus = (problem: FormProblem) =>
  (problem.status >= 400 && problem.status < 500 ? problem.status : 503) as 400;
