/**
 * Security headers, decided in one place for every response this server sends:
 * Next's pages, /api JSON, SSE feeds, the embed, static files.
 *
 * - Every response: `X-Content-Type-Options: nosniff` (a JSON answer that
 *   echoes user text is never sniffed into HTML or script) and a referrer
 *   policy that never sends a room's path to another site.
 * - Next's pages get a Content-Security-Policy with a fresh nonce per request.
 *   Next reads that nonce from the request's own `Content-Security-Policy`
 *   header and puts it on every script it renders (its runtime, the page's
 *   chunks, the inline RSC payload). Next's docs set that header in
 *   `proxy.ts`; our custom server sees each request before Next does, so it
 *   sets it here instead: one module for every kind of response, no proxy
 *   bundle, nothing a crafted `x-middleware-subrequest` could skip. Pages are
 *   rendered on demand (every route is dynamic), so each one gets its nonce.
 * - Everything else that is not HTML gets `default-src 'none'`: it loads
 *   nothing and may not be framed. The embed sets its own policy (frameable).
 */
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";

/** On every response. */
export const BASE_HEADERS: Readonly<Record<string, string>> = {
  "x-content-type-options": "nosniff",
  "referrer-policy": "strict-origin-when-cross-origin",
};

/** JSON, SSE, scripts, plain-text errors: nothing to load, nothing to frame. */
export const NON_DOCUMENT_CSP = "default-src 'none'; frame-ancestors 'none'";

/** 128 bits from the OS CSPRNG: a nonce must be unguessable and never reused. */
export function newNonce(): string {
  return randomBytes(16).toString("base64");
}

/**
 * The policy of Next's pages.
 *
 * - script-src: our own origin and this response's nonce, never
 *   'unsafe-inline'. No 'strict-dynamic': it would switch 'self' off, and the
 *   static tutorial pages in public/examples load their scripts by URL
 *   without a nonce. 'self' is safe to keep: nothing on this origin answers
 *   with attacker-chosen script (the API is JSON, sent with nosniff).
 *   Development adds 'unsafe-eval': React uses eval there to rebuild server
 *   error stacks, and Next's hot reload evaluates updated modules.
 * - style-src: stylesheets come from our origin (Tailwind is compiled into
 *   /_next/static/css) and any <style> Next renders carries the nonce.
 *   style-src-attr 'unsafe-inline' allows style *attributes* only: React
 *   renders the avatar's colour (derived from the user id) and the composer's
 *   field-sizing as style="…". An attribute cannot hold a selector, so it
 *   cannot read the page the way an injected stylesheet can, and any url()
 *   in it is still bound by img-src/font-src. React escapes every value we
 *   render, so text from users cannot add attributes anyway.
 *   Development injects <style> elements without a nonce for hot reload, so
 *   there style-src allows inline styles (a nonce in the list would make
 *   browsers ignore 'unsafe-inline').
 * - connect-src 'self': fetch, EventSource and Socket.IO's WebSocket go to our
 *   own origin only; CSP 3 lets 'self' match ws:/wss: on the same host and
 *   port (the e2e suite checks that Chromium connects without a violation),
 *   and it also covers Next's hot-reload socket in development.
 * - frame-ancestors 'none': no other page may frame ours (clickjacking on
 *   /admin and the rooms). Only /embed/* is frameable.
 * - No upgrade-insecure-requests: Relay is also served over plain HTTP on a
 *   LAN, where upgrading every subresource to https would break the page.
 */
export function pageCsp(nonce: string, dev: boolean): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}'${dev ? " 'unsafe-eval'" : ""}`,
    dev ? "style-src 'self' 'unsafe-inline'" : `style-src 'self' 'nonce-${nonce}'`,
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/**
 * The embed's policy: its one inline <style> and config <script> carry the
 * nonce, its code is /embed.js, its data the SSE feed on our origin. It is
 * made to be framed by any site, and it carries no session and no controls.
 */
export function embedCsp(nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'self' 'nonce-${nonce}'`,
    `style-src 'nonce-${nonce}'`,
    "connect-src 'self'",
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors *",
  ].join("; ");
}

/**
 * First thing on every request: the headers every response carries, and the
 * request headers no client may choose. `x-middleware-subrequest` is Next's
 * internal marker for its own sub-requests; a client that sends it could make
 * Next skip middleware (CVE-2025-29927), so it never reaches Next.
 */
export function applyBaseHeaders(req: IncomingMessage, res: ServerResponse): void {
  delete req.headers["x-middleware-subrequest"];
  for (const [name, value] of Object.entries(BASE_HEADERS)) res.setHeader(name, value);
  res.setHeader("content-security-policy", NON_DOCUMENT_CSP);
}

/**
 * Before a request goes to Next: a fresh nonce in the request's CSP header
 * (where Next reads it) and the same policy on the response. A CSP header the
 * client sent is replaced, so nobody chooses the nonce.
 */
export function preparePageRequest(req: IncomingMessage, res: ServerResponse, dev: boolean): void {
  const csp = pageCsp(newNonce(), dev);
  delete req.headers["content-security-policy-report-only"];
  req.headers["content-security-policy"] = csp;
  res.setHeader("content-security-policy", csp);
}
