/**
 * Errors are codes, not stack traces. Domain code throws AppError with a code
 * from the wire contract; every edge maps it to an error ack or an HTTP status.
 * Anything else becomes a generic "unavailable" plus one log line.
 */
import type { ErrorCode, WireError } from "./contract";
import { ZodError } from "zod";
import { logger } from "./log";

const log = logger("errors");

export interface ErrorDetail {
  /** The precise reason within the code ("muted", "read_only"…): what the UI's catalog renders. */
  reason?: string;
  /** Values the catalog's message needs ({ until }, { max }…). */
  params?: Record<string, string | number>;
  /** rate_limited: how long to wait before trying again, in ms. */
  retryAfter?: number;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly detail: ErrorDetail;
  constructor(code: ErrorCode, message: string, detail: ErrorDetail = {}) {
    super(message);
    this.code = code;
    this.detail = detail;
    this.name = "AppError";
  }
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

export function toWireError(err: unknown, where: string): WireError {
  if (isAppError(err)) return { code: err.code, message: err.message, ...(err.detail ?? {}) };
  if (err instanceof ZodError) return { code: "invalid", message: zodMessage(err) };
  log.error({ err, where }, "unexpected error");
  return { code: "unavailable", message: "something went wrong; try again" };
}
