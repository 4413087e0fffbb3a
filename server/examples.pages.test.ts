/**
 * The tutorial pages in public/examples/ (served by Next at /examples/). The
 * harness does not serve Next's public folder, so the pages are checked as
 * files: self-contained, text-only rendering, the browser API of their
 * technique and the endpoint each one calls. What the pages share (the message
 * list, applyPage, guest sign-in) lives in common.js, which each page loads
 * before its own script (polling.js for polling.html…): no inline script,
 * since the CSP runs none on a static page. A second part calls those
 * endpoints, spelled as the pages spell them, on a real server.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import WebSocket from "ws";
import { joinAsGuest, startServer, type Harness } from "./test/harness";

const DIR = path.resolve(import.meta.dirname, "../public/examples");
const read = (file: string) => readFileSync(path.join(DIR, file), "utf8");
/** A page's own script: polling.html -> polling.js. */
const scriptOf = (page: string) => page.replace(/\.html$/, ".js");

/** What each page must contain: its technique's browser API and the endpoints it calls. */
const PAGES: Record<string, string[]> = {
  "polling.html": ["setInterval(", "/messages?after=", "/messages`", 'method: "POST"', "applyPage(", "wireSession("],
  "long-polling.html": ["/messages?after=", "&wait=", "/messages`", 'method: "POST"', "applyPage(", "wireSession("],
  "sse.html": ["new EventSource(", "/feed", 'on("message"', 'on("reset"', "lastEventId"],
  "websocket.html": [
    "new WebSocket(",
    "/ws`",
    ".onopen",
    ".onmessage",
    ".onerror",
    ".onclose",
    ".send(",
    ".close(",
    "readyState",
    "bufferedAmount",
    '"room:join"',
    '"message:send"',
    "applyPage(",
    "wireSession(",
  ],
};

/** What the pages share, in common.js: the session, the message list and the room log's pages. */
const COMMON = [
  "/api/auth/sign-in/anonymous",
  "/api/auth/sign-out",
  "/api/me",
  "/messages?limit=20",
  "function applyPage(",
  "return page.next;",
  "function showMessage(",
  "function markDeleted(",
  "function showBroadcast(",
  "function clearLog(",
  "function logSystem(",
  "function wireSession(",
];

describe("public/examples pages", () => {
  it("index links the four techniques", () => {
    const index = read("index.html");
    for (const page of Object.keys(PAGES)) assert.ok(index.includes(`href="${page}"`), `index.html links ${page}`);
  });

  it("common.js exists, holds the shared helpers, loads nothing and renders text only", () => {
    assert.ok(existsSync(path.join(DIR, "common.js")), "common.js exists");
    const js = read("common.js");
    for (const needle of COMMON) assert.ok(js.includes(needle), `common.js contains ${needle}`);
    assert.doesNotMatch(js, /\bimport\b|\bexport\b|\brequire\(/, "a plain script, not a module");
    assert.doesNotMatch(js, /(?:[a-z]+:)?\/\/[a-z0-9.-]+\.[a-z]{2,}/i, "no other host");
    assert.doesNotMatch(js, /innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
  });

  for (const [file, needles] of Object.entries(PAGES)) {
    describe(file, () => {
      it("exists and uses its technique's API and endpoints", () => {
        assert.ok(existsSync(path.join(DIR, file)), `${file} exists`);
        assert.ok(existsSync(path.join(DIR, scriptOf(file))), `${scriptOf(file)} exists`);
        const html = read(file);
        const js = read(scriptOf(file));
        // Next serves public/ files by name, with no directory index.
        assert.ok(html.includes('href="index.html"'), `${file} links back to index.html`);
        for (const needle of needles) assert.ok(js.includes(needle), `${scriptOf(file)} contains ${needle}`);
      });

      it("is self-contained, has no inline script, and renders data as text only", () => {
        const html = read(file);
        const js = read(scriptOf(file));
        // No resource from another host: every src/href and url() is same-origin.
        assert.doesNotMatch(html, /\b(?:src|href)\s*=\s*["']?\s*(?:[a-z]+:)?\/\//i);
        assert.doesNotMatch(html, /url\(\s*["']?(?:[a-z]+:)?\/\//i);
        assert.doesNotMatch(js, /(?:[a-z]+:)?\/\/[a-z0-9.-]+\.[a-z]{2,}/i, `${scriptOf(file)} calls no other host`);
        // Two script files, common.js first, and nothing inline: the CSP would refuse it.
        const srcs = [...html.matchAll(/<script[^>]*\ssrc=["']?([^"'\s>]+)/gi)].map((m) => m[1]);
        assert.deepEqual(srcs, ["common.js", scriptOf(file)], `${file} loads common.js, then its own script`);
        assert.doesNotMatch(html, /<script(?![^>]*\ssrc=)[^>]*>/i, `${file} has no inline script`);
        assert.doesNotMatch(html, /\son[a-z]+\s*=/i, `${file} has no inline event handler`);
        assert.doesNotMatch(html + js, /innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
      });

      it("labels its inputs, shows a status, and explains itself in English and Chinese", () => {
        const html = read(file);
        for (const [, id] of html.matchAll(/<input[^>]*\sid="([^"]+)"/g)) {
          assert.ok(html.includes(`for="${id}"`), `${file}: input #${id} has a label`);
        }
        assert.match(html, /id="status"[^>]*role="status"/);
        assert.match(html, /<input id="room"[^>]*value="general"/);
        assert.match(html, /<p lang="en"/);
        assert.match(html, /<p lang="zh-CN"/);
      });
    });
  }

  it("the SSE page is read-only and says so; the others can send", () => {
    const sse = read("sse.html");
    assert.match(sse, /read-only/i);
    assert.doesNotMatch(sse, /id="send-form"|method: "POST"/);
    for (const file of ["polling.html", "long-polling.html", "websocket.html"]) assert.match(read(file), /id="send-form"/);
  });

  it("the stylesheet loads nothing from elsewhere", () => {
    assert.doesNotMatch(read("examples.css"), /@import|url\(/);
  });
});

describe("the endpoints the pages call", () => {
  let h: Harness;
  let cookie: string;
  before(async () => {
    h = await startServer();
    cookie = await joinAsGuest(h.url, "page-reader");
  });
  after(async () => {
    await h?.stop();
  });

  it("history, polling, long-polling and POST answer as the pages expect", async () => {
    const get = (p: string) => fetch(`${h.url}${p}`, { headers: { cookie } });
    assert.equal((await (await get("/api/me")).json()).user.name, "page-reader");
    const post = await fetch(`${h.url}/api/rooms/general/messages`, {
      method: "POST",
      headers: { cookie, "content-type": "application/json", origin: h.url },
      body: JSON.stringify({ clientId: randomUUID(), body: "from a page" }),
    });
    assert.equal(post.status, 201);
    const history = await (await get("/api/rooms/general/messages?limit=20")).json();
    assert.deepEqual(history.messages.map((m: { body: string }) => m.body), ["from a page"]);
    for (const query of ["after=0", "after=0&wait=25"]) {
      const page = await (await get(`/api/rooms/general/messages?${query}`)).json();
      assert.equal(page.head, 1, query);
      assert.equal(page.events[0].message.body, "from a page", query);
    }
    assert.equal((await fetch(`${h.url}/api/rooms/general/messages?after=0`)).status, 401, "polling needs a session");
  });

  it("the feed streams without a session, and /ws opens with one", async () => {
    const abort = new AbortController();
    const feed = await fetch(`${h.url}/api/rooms/general/feed`, { signal: abort.signal });
    assert.equal(feed.status, 200);
    assert.match(feed.headers.get("content-type") ?? "", /^text\/event-stream/);
    abort.abort();

    const ws = new WebSocket(`${h.url.replace(/^http/, "ws")}/ws`, { headers: { cookie, origin: h.url } });
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
    });
    const reply = new Promise<{ ok: boolean }>((resolve) =>
      ws.on("message", (data) => {
        const frame = JSON.parse(data.toString());
        if (frame.type === "reply" && frame.id === 1) resolve(frame);
      }),
    );
    ws.send(JSON.stringify({ type: "room:join", id: 1, room: "general" }));
    assert.equal((await reply).ok, true);
    ws.close();
  });
});
