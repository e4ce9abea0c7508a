import type { ErrorHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import { describeError, log } from "../core/log";
import { ERROR_STATUS, type ErrorCode } from "../core/vocabulary/error-codes";
import { isDatabaseUnavailable } from "../db/client";
import type { AppEnv } from "./context";
import { AppError, errorBody } from "./errors";
import { isPageNavigation, notFoundPage } from "./pages/not-found";

const DB_RETRY_AFTER_SECONDS = 5;

/**
 * The one place errors become responses. Known errors keep their code; anything else is
 * logged with the request id and answered with a generic message, never its details.
 */
export const onError: ErrorHandler<AppEnv> = (err, c) => {
  const requestId = c.get("requestId");
  if (err instanceof AppError) {
    if (err.retryAfter !== undefined) c.header("Retry-After", String(err.retryAfter));
    return c.json(errorBody(err.code, err.message, err.details), err.status);
  }
  if (err instanceof HTTPException) {
    const code = codeForStatus(err.status);
    return c.json(errorBody(code, err.message || code), ERROR_STATUS[code]);
  }
  if (isDatabaseUnavailable(err)) {
    log.warn("db.unavailable", { requestId, error: describeError(err) });
    c.header("Retry-After", String(DB_RETRY_AFTER_SECONDS));
    return c.json(
      errorBody("SERVICE_UNAVAILABLE", "The database is unavailable; retry shortly."),
      503,
    );
  }
  log.error("request.failed", {
    requestId,
    method: c.req.method,
    path: c.req.path,
    error: describeError(err),
  });
  return c.json(errorBody("INTERNAL", "Something went wrong on our side."), 500);
};

export const onNotFound: NotFoundHandler<AppEnv> = (c) => {
  // A person's browser gets a page; every API client the contract's JSON.
  if (isPageNavigation(c)) return notFoundPage(c);
  return c.json(errorBody("NOT_FOUND", `No route for ${c.req.method} ${c.req.path}.`), 404);
};

function codeForStatus(status: number): ErrorCode {
  switch (status) {
    case 400:
      return "MALFORMED_JSON";
    case 401:
      return "UNAUTHORIZED";
    case 403:
      return "FORBIDDEN";
    case 404:
      return "NOT_FOUND";
    case 405:
      return "METHOD_NOT_ALLOWED";
    case 413:
      return "PAYLOAD_TOO_LARGE";
    case 415:
      return "UNSUPPORTED_MEDIA_TYPE";
    case 429:
      return "RATE_LIMITED";
    case 503:
      return "SERVICE_UNAVAILABLE";
    default:
      return "INTERNAL";
  }
}
