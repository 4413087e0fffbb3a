/**
 * Security headers on every kind of response the custom server sends, the
 * nonce-bearing CSP handed to the page handler (Next), and requests that can
 * not be served at all (unknown methods, malformed percent-encoding) answered
 * with a 4xx and a reason instead of a 500. Next's own pages are covered in
 * Chromium by e2e/security.spec.ts.
 */
import assert from "node:assert/strict";
import http from "node:http";
import { after, before, describe, it } from "node:test";
import { embedCsp, NON_DOCUMENT_CSP, pageCsp } from "./security";
import { joinAsGuest, startServer, type Harness } from "../test/harness";

interface Raw {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A raw HTTP request (fetch refuses TRACE and would hide what goes on the wire). */
function raw(url: string, path: string, opts: { method?: string; headers?: Record<string, string>; body?: string; stream?: boolean } = {}): Promise<Raw> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request({ hostname, port, path, method: opts.method ?? "GET", headers: opts.headers }, (res) => {
      if (opts.stream) {
        // An SSE stream never ends by itself: the headers are what we came for.
        resolve({ status: res.statusCode!, headers: res.headers, body: "" });
        res.destroy();
        return;
      }
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end(opts.body);
  });
}

function assertBase(r: Raw, what: string) {
  assert.equal(r.headers["x-content-type-options"], "nosniff", `${what}: nosniff`);
  assert.equal(r.headers["referrer-policy"], "strict-origin-when-cross-origin", `${what}: referrer-policy`);
}

/** The value of one CSP directive, e.g. directive(csp, "script-src"). */
function directive(csp: string | undefined, name: string): string | undefined {
  return csp
    ?.split(";")
    .map((d) => d.trim())
    .find((d) => d === name || d.startsWith(`${name} `));
}

describe("security headers", () => {
  let h: Harness;
  let cookie: string;
  /** What the page handler (Next, in production) received. */
  const seen: http.IncomingHttpHeaders[] = [];

  before(async () => {
    h = await startServer();
    cookie = await joinAsGuest(h.url, "header-reader");
    h.app.setPageHandler((req, res) => {
      seen.push({ ...req.headers });
      res.writeHead(200, { "content-type": "text/html" }).end("<!doctype html><p>page</p>");
    });
  });
  after(async () => {
    await h?.stop();
  });

  it("puts nosniff, the referrer policy and frame-ancestors 'none' on API answers, errors included", async () => {
    const cases: [string, Promise<Raw>, number][] = [
      ["health", raw(h.url, "/api/health"), 200],
      ["rooms", raw(h.url, "/api/rooms", { headers: { cookie } }), 200],
      ["401", raw(h.url, "/api/rooms"), 401],
      ["unknown route", raw(h.url, "/api/nothing-here"), 404],
      ["auth", raw(h.url, "/api/auth/get-session", { headers: { cookie } }), 200],
      [
        "413",
        raw(h.url, "/api/rooms", {
          method: "POST",
          headers: { cookie, origin: h.url, "content-type": "application/json", "content-length": String(70 * 1024) },
          body: "x".repeat(70 * 1024),
        }),
        413,
      ],
    ];
    for (const [what, pending, status] of cases) {
      const r = await pending;
      assert.equal(r.status, status, what);
      assertBase(r, what);
      assert.equal(r.headers["content-security-policy"], NON_DOCUMENT_CSP, `${what}: CSP`);
    }
  });

  it("on SSE streams, long-polling answers of Socket.IO, and the plain 404", async () => {
    const sse = await raw(h.url, "/api/rooms/general/feed", { stream: true });
    assert.equal(sse.status, 200);
    assert.match(String(sse.headers["content-type"]), /^text\/event-stream/);
    assertBase(sse, "sse");
    assert.equal(sse.headers["content-security-policy"], NON_DOCUMENT_CSP);

    const refused = await raw(h.url, "/api/rooms/no-such-room/feed");
    assert.equal(refused.status, 404);
    assertBase(refused, "sse refusal");

    const polling = await raw(h.url, "/socket.io/?EIO=4&transport=polling", { headers: { cookie, origin: h.url } });
    assert.equal(polling.status, 200, polling.body);
    assertBase(polling, "socket.io polling");

    const script = await raw(h.url, "/embed.js");
    assertBase(script, "/embed.js");
  });

  it("serves the embed frameable by any site, with a per-response nonce and no unsafe-inline", async () => {
    const a = await raw(h.url, "/embed/general");
    const b = await raw(h.url, "/embed/general");
    assert.equal(a.status, 200);
    assertBase(a, "embed");
    const csp = a.headers["content-security-policy"] as string | undefined;
    assert.equal(directive(csp, "frame-ancestors"), "frame-ancestors *");
    const nonce = /'nonce-([^']+)'/.exec(directive(csp, "script-src") ?? "")?.[1];
    assert.ok(nonce, `a nonce in ${csp}`);
    assert.doesNotMatch(csp!, /unsafe-inline|unsafe-eval/);
    // Every inline element carries it; the config script is the only inline script.
    assert.equal([...a.body.matchAll(/<(script|style)(?![^>]*\ssrc=)[^>]*>/g)].length, 2);
    for (const tag of a.body.matchAll(/<(script|style)(?![^>]*\ssrc=)([^>]*)>/g)) assert.equal(tag[2], ` nonce="${nonce}"`);
    assert.notEqual(b.headers["content-security-policy"], csp, "a fresh nonce per response");
    assert.equal(csp, embedCsp(nonce!));

    const missing = await raw(h.url, "/embed/no-such-room");
    assert.equal(missing.status, 404);
    assertBase(missing, "embed 404");
    assert.match(String(missing.headers["content-security-policy"]), /'nonce-/);
  });

  it("hands pages a fresh nonce in the request's CSP, sends the same policy, and strips x-middleware-subrequest", async () => {
    seen.length = 0;
    const attack = {
      "x-middleware-subrequest": "middleware:middleware:middleware:middleware:middleware",
      "content-security-policy": "script-src 'nonce-chosen-by-the-client'",
      "content-security-policy-report-only": "script-src 'nonce-chosen-by-the-client'",
    };
    const first = await raw(h.url, "/admin", { headers: attack });
    const second = await raw(h.url, "/r/general", { headers: attack });
    assert.equal(seen.length, 2);
    for (const [i, r] of [first, second].entries()) {
      assertBase(r, `page ${i}`);
      const csp = r.headers["content-security-policy"] as string;
      assert.equal(seen[i]!["content-security-policy"], csp, "Next reads the policy it sends");
      assert.equal(seen[i]!["content-security-policy-report-only"], undefined);
      assert.equal(seen[i]!["x-middleware-subrequest"], undefined, "x-middleware-subrequest never reaches Next");
      assert.doesNotMatch(csp, /chosen-by-the-client/);
      assert.equal(directive(csp, "frame-ancestors"), "frame-ancestors 'none'");
      const scripts = directive(csp, "script-src")!;
      assert.match(scripts, /^script-src 'self' 'nonce-[A-Za-z0-9+/]{22}==' 'unsafe-eval'$/, "this harness runs as development");
      assert.doesNotMatch(scripts, /unsafe-inline/);
    }
    assert.notEqual(first.headers["content-security-policy"], second.headers["content-security-policy"]);
  });

  it("relaxes only development: production pages get no eval and nonce-only inline styles", () => {
    const prod = pageCsp("abc", false);
    assert.equal(directive(prod, "script-src"), "script-src 'self' 'nonce-abc'");
    assert.equal(directive(prod, "style-src"), "style-src 'self' 'nonce-abc'");
    assert.equal(directive(prod, "frame-ancestors"), "frame-ancestors 'none'");
    assert.doesNotMatch(prod, /unsafe-eval/);
    // Style attributes only (see the comment in security.ts); never scripts.
    assert.deepEqual(prod.match(/[\w-]+ [^;]*'unsafe-inline'/g), ["style-src-attr 'unsafe-inline'"]);
    const dev = pageCsp("abc", true);
    assert.equal(directive(dev, "script-src"), "script-src 'self' 'nonce-abc' 'unsafe-eval'");
    assert.equal(directive(dev, "style-src"), "style-src 'self' 'unsafe-inline'");
  });
});

describe("requests that cannot be served", () => {
  let h: Harness;
  let cookie: string;
  before(async () => {
    h = await startServer();
    cookie = await joinAsGuest(h.url, "edge-prober");
  });
  after(async () => {
    await h?.stop();
  });

  const errorOf = (r: Raw) => (JSON.parse(r.body) as { error: { code: string; message: string } }).error;

  it("answers malformed percent-encoding in a path with 400 and a reason, on every route", async () => {
    for (const path of [
      "/api/rooms/%ZZ/messages",
      "/api/rooms/%ZZ/feed",
      "/embed/%ZZ",
      "/api/rooms/%E2%82/messages", // a truncated UTF-8 sequence
      "/r/%ZZ",
    ]) {
      const r = await raw(h.url, path, { headers: { cookie } });
      assert.equal(r.status, 400, `${path}: ${r.body}`);
      assert.match(errorOf(r).message, /malformed percent-encoding/, path);
      assertBase(r, path);
    }
    // Well-formed encoding still works.
    assert.equal((await raw(h.url, "/api/rooms/gen%65ral/messages", { headers: { cookie } })).status, 200);
    assert.equal((await raw(h.url, "/api/health")).status, 200, "the server is still up");
  });

  it("refuses TRACE and other methods it does not serve with 405, an Allow header and a reason", async () => {
    for (const [method, path] of [
      ["TRACE", "/api/rooms"],
      ["TRACE", "/"],
      ["TRACE", "/api/rooms/general/feed"],
      ["PROPFIND", "/api/rooms"],
      ["MKCOL", "/embed/general"],
    ] as const) {
      const r = await raw(h.url, path, { method, headers: { cookie } });
      assert.equal(r.status, 405, `${method} ${path}: ${r.body}`);
      assert.equal(r.headers.allow, "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS");
      assert.deepEqual(errorOf(r), { code: "invalid", reason: "method_not_allowed", params: { method }, message: `method ${method} is not supported` });
      assertBase(r, `${method} ${path}`);
    }
    assert.equal((await raw(h.url, "/api/health")).status, 200);
  });

  it("still answers a route's own wrong method with the API's 405", async () => {
    const r = await raw(h.url, "/api/health", { method: "DELETE", headers: { origin: h.url } });
    assert.equal(r.status, 405);
    assert.equal(errorOf(r).message, "method not allowed");
  });
});
