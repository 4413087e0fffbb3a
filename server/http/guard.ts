/**
 * Input at the edge, before any route sees a request: methods we serve, and
 * paths that decode. Both used to reach code that threw (the Fetch API
 * refuses TRACE, decodeURIComponent throws on `%ZZ`), answering 500 with a
 * stack trace in the log; now they get a 4xx with a reason.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ErrorParams, ErrorReason } from "../contract";
import { AppError, errorBody } from "../errors";

/** What pages, the API, feeds and the embed answer. TRACE, CONNECT and WebDAV's verbs are not among them. */
export const ALLOWED_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;
const ALLOWED = new Set<string>(ALLOWED_METHODS);

/** A percent-decoded path segment, or `invalid` (400) when its encoding is malformed. */
export function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new AppError("bad_path_encoding", "malformed percent-encoding in the path");
  }
}

function refuse(res: ServerResponse, status: number, reason: ErrorReason, message: string, params: ErrorParams = {}, headers: Record<string, string> = {}) {
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store", ...headers });
  res.end(errorBody(reason, message, { params }));
}

/** Answers and returns true when the request cannot be served at all. */
export function refuseUnservable(req: IncomingMessage, res: ServerResponse, pathname: string): boolean {
  const method = req.method ?? "GET";
  if (!ALLOWED.has(method)) {
    refuse(res, 405, "method_not_allowed", `method ${method} is not supported`, { method }, { allow: ALLOWED_METHODS.join(", ") });
    return true;
  }
  try {
    decodeURIComponent(pathname);
  } catch {
    refuse(res, 400, "bad_path_encoding", "malformed percent-encoding in the path");
    return true;
  }
  return false;
}
