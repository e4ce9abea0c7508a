import type { DeclaredResponse, Operation } from "./openapi-operations";
import type { FuzzRequest } from "./request-arbitraries";

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  body: unknown;
}

/**
 * Properties (1) and (2): never a 5xx (only a 503 the operation declares, with
 * Retry-After), every error in API.md's shape with a known code, and, while the request
 * still reaches this operation's route, a status the document declares for it (429 being
 * allowed anywhere) with one of the codes the document lists for that status.
 */
export function answerProblems(
  op: Operation,
  req: FuzzRequest,
  res: Answer,
  knownCodes: Set<string>,
): string[] {
  const problems: string[] = [];
  const declared: DeclaredResponse | undefined = op.responses[String(res.status)];
  if (res.status >= 500) {
    const allowed = res.status === 503 && declared && res.headers.get("retry-after");
    if (!allowed) problems.push(`a ${res.status}: ${res.text.slice(0, 300)}`);
  }
  if (res.status === 429 && !res.headers.get("retry-after")) {
    problems.push("a 429 without Retry-After");
  }
  if (req.onRoute && !declared && res.status !== 429) {
    problems.push(
      `status ${res.status} is not declared for ${op.id} (declared: ${Object.keys(op.responses).join(", ")}): ${res.text.slice(0, 300)}`,
    );
  }
  if (res.status < 400) return problems;

  const shape = errorShapeProblem(res, knownCodes);
  if (shape) return [...problems, shape];
  const code = (res.body as { error: { code: string } }).error.code;
  if (req.onRoute && declared?.errorCodes && !declared.errorCodes.includes(code)) {
    problems.push(
      `code ${code} is not listed for ${res.status} of ${op.id} (listed: ${declared.errorCodes.join(", ")})`,
    );
  }
  return problems;
}

/** API.md: `{"error": {"code", "message", "details": [{"path", "message"}]}}`, nothing else. */
function errorShapeProblem(res: Answer, knownCodes: Set<string>): string | null {
  const bad = (why: string) =>
    `${res.status} is not an API error body (${why}): ${res.text.slice(0, 300)}`;
  if (!/^application\/json\b/i.test(res.headers.get("content-type") ?? "")) {
    return bad(`content-type ${res.headers.get("content-type")}`);
  }
  const body = res.body as Record<string, unknown> | null;
  if (!isObject(body) || !sameKeys(body, ["error"])) return bad("top-level keys");
  const error = body.error;
  if (!isObject(error) || !sameKeys(error, ["code", "details", "message"])) {
    return bad("error keys");
  }
  if (typeof error.code !== "string" || !knownCodes.has(error.code)) return bad("unknown code");
  if (typeof error.message !== "string" || error.message === "") return bad("message");
  const details = error.details;
  const detailOk = (d: unknown) =>
    isObject(d) &&
    sameKeys(d, ["message", "path"]) &&
    typeof d.path === "string" &&
    typeof d.message === "string";
  if (!Array.isArray(details) || !details.every(detailOk)) return bad("details");
  return null;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function sameKeys(o: Record<string, unknown>, keys: string[]): boolean {
  return JSON.stringify(Object.keys(o).sort()) === JSON.stringify(keys);
}
