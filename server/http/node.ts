/**
 * Node <-> Fetch adapters for our HTTP edge. Route handlers are written
 * against the standard Request/Response so tests can call them directly.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { Readable } from "node:stream";
import { CLIENT_IP_HEADER } from "../auth";
import type { ProxyTrust } from "./forwarded";

/** Request bodies we accept at all (JSON forms and messages are tiny). */
export const MAX_BODY_BYTES = 64 * 1024;

export class BodyTooLarge extends Error {}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  // Refuse on the declared length before reading anything.
  if (Number(req.headers["content-length"] ?? 0) > MAX_BODY_BYTES) throw new BodyTooLarge("request body too large");
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new BodyTooLarge("request body too large");
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * The Fetch Request for a Node request. Its URL's origin is the one the client
 * used (forwarded headers only from trusted proxies), and CLIENT_IP_HEADER
 * carries the client's address, overwriting anything the client sent.
 */
export async function toRequest(req: IncomingMessage, proxy: ProxyTrust, signal?: AbortSignal): Promise<Request> {
  const origin = proxy.origin(req) ?? "http://localhost";
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || name === CLIENT_IP_HEADER) continue;
    headers.set(name, Array.isArray(value) ? value.join(", ") : value);
  }
  headers.set(CLIENT_IP_HEADER, proxy.clientAddress(req) || "unknown");
  const method = req.method ?? "GET";
  const body = method === "GET" || method === "HEAD" ? undefined : await readBody(req);
  return new Request(`${origin}${req.url ?? "/"}`, {
    method,
    headers,
    body: body ? new Uint8Array(body) : undefined,
    signal,
  });
}

export async function sendResponse(res: ServerResponse, response: Response): Promise<void> {
  res.statusCode = response.status;
  const cookies = response.headers.getSetCookie();
  response.headers.forEach((value, name) => {
    if (name !== "set-cookie") res.setHeader(name, value);
  });
  if (cookies.length) res.setHeader("set-cookie", cookies);
  if (!response.body) return void res.end();
  Readable.fromWeb(response.body as import("node:stream/web").ReadableStream).pipe(res);
}
