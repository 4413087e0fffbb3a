/**
 * Errors are codes, not stack traces. Domain code throws AppError with a code
 * from the wire contract; every edge maps it to an error ack or an HTTP status.
 * Anything else becomes a generic "unavailable" plus one log line.
 */
import { ERROR_REASONS, type ErrorCode, type ErrorParams, type ErrorReason, type ServerError } from "./contract";
import { ZodError } from "zod";
import { logger } from "./log";

const log = logger("errors");

export interface ErrorDetail {
  /** The catalog's values for this reason ({ until }, { max }…). */
  params?: ErrorParams;
  /** rate_limited: how long to wait before trying again, in ms. */
  retryAfter?: number;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly reason: ErrorReason;
  readonly detail: ErrorDetail;
  /**
   * `reason` is a key of ERROR_REASONS: a precise one ("muted") or a bare code
   * ("forbidden") when nothing more precise applies; the code follows from it.
   */
  constructor(reason: ErrorReason, message: string, detail: ErrorDetail = {}) {
    super(message);
    this.reason = reason;
    this.code = ERROR_REASONS[reason];
    this.detail = detail;
    this.name = "AppError";
  }
}

/**
 * The one way an error is put on the wire (acks, /ws frames, HTTP bodies, SSE
 * refusals): code from the reason, params always present, and a rate limit's
 * wait also as whole seconds in params, for the catalog.
 */
export function wireError(reason: ErrorReason, message: string, detail: ErrorDetail = {}): ServerError {
  const params: ErrorParams = { ...(detail.params ?? {}) };
  if (detail.retryAfter !== undefined) params.seconds = Math.max(1, Math.ceil(detail.retryAfter / 1000));
  return {
    code: ERROR_REASONS[reason],
    reason,
    message,
    params,
    ...(detail.retryAfter !== undefined ? { retryAfter: detail.retryAfter } : {}),
  };
}

/** `{ error }` as an HTTP body, for edges that write the response themselves. */
export function errorBody(reason: ErrorReason, message: string, detail: ErrorDetail = {}): string {
  return JSON.stringify({ error: wireError(reason, message, detail) });
}

export const HTTP_STATUS: Record<ErrorCode, number> = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  rate_limited: 429,
  unavailable: 503,
};

/**
 * Duck-typed on purpose: Next's bundle and the custom server may each load
 * their own copy of this module, so `instanceof` is not reliable across them.
 */
export function isAppError(err: unknown): err is AppError {
  return (
    typeof err === "object" &&
    err !== null &&
    (err as { name?: unknown }).name === "AppError" &&
    typeof (err as { code?: unknown }).code === "string"
  );
}

export function zodMessage(err: ZodError): string {
  const issue = err.issues[0];
  if (!issue) return "invalid input";
  const path = issue.path.length ? `${issue.path.join(".")}: ` : "";
  return `${path}${issue.message}`;
}

const isReason = (value: unknown): value is ErrorReason => typeof value === "string" && Object.hasOwn(ERROR_REASONS, value);

/**
 * A validation failure as a reason and params: a field over its limit says
 * which field and the limit, a missing one which field. Custom checks
 * (display names, code-point limits) put their reason in the issue's params.
 */
export function zodWireError(err: ZodError): ServerError {
  const issue = err.issues[0];
  const message = zodMessage(err);
  if (!issue) return wireError("invalid", message);
  const field = issue.path.map(String).join(".");
  const at: ErrorParams = field ? { field } : {};
  if (issue.code === "custom" && issue.params && isReason(issue.params.reason)) {
    const { reason, ...params } = issue.params as { reason: ErrorReason } & ErrorParams;
    return wireError(reason, message, { params: { ...at, ...params } });
  }
  if (issue.code === "too_big" && issue.origin === "string") return wireError("too_long", message, { params: { ...at, max: Number(issue.maximum) } });
  if (issue.code === "too_small" && issue.origin === "string") {
    if (Number(issue.minimum) <= 1) return wireError("required", message, { params: at });
    return wireError("too_short", message, { params: { ...at, min: Number(issue.minimum) } });
  }
  return wireError("invalid", message, { params: at });
}

export function toWireError(err: unknown, where: string): ServerError {
  if (isAppError(err)) {
    const reason = isReason((err as AppError).reason) ? (err as AppError).reason : err.code;
    return wireError(reason, err.message, err.detail ?? {});
  }
  if (err instanceof ZodError) return zodWireError(err);
  log.error({ err, where }, "unexpected error");
  return wireError("unavailable", "something went wrong; try again");
}
