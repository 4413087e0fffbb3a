/**
 * Every message in the reader's language: each error the server can send
 * carries a code, a precise reason and params, the same on every transport,
 * and every reason has a catalog entry in both languages. Room addresses in
 * any script, the admin's view of mutes and the audit log's names.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import WebSocket from "ws";
import { ERROR_CODES, ERROR_REASONS, MAX_ROOM_NAME, MAX_TOPIC, type RoomSummary, type ServerError } from "./contract";
import { slugify } from "./lib/slug";
import { collectSse, connectClient, connected, joinAsGuest, register, startServer, type Client, type Harness } from "./test/harness";

const root = path.resolve(import.meta.dirname, "..");
const catalog = (lang: string) => JSON.parse(readFileSync(path.join(root, "components/i18n/messages", `${lang}.json`), "utf8")).errors as Record<string, unknown>;
/** The ICU argument names a message uses ({room}, {until}, {seconds, plural, …}). */
const argsOf = (message: string) => new Set([...message.matchAll(/\{\s*(\w+)\s*[,}]/g)].map((m) => m[1]!));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) return name === "generated" || name === "test" ? [] : sources(file);
    return name.endsWith(".ts") && !name.endsWith(".test.ts") ? [file] : [];
  });
}

describe("error catalog", () => {
  it("has an entry for every reason the server can send, in English and Chinese, with the same placeholders", () => {
    const en = catalog("en");
    const zh = catalog("zh-CN");
    const reasons = Object.keys(ERROR_REASONS);
    for (const code of ERROR_CODES) assert.ok(reasons.includes(code), `the code ${code} is also a reason`);
    const missing = reasons.flatMap((r) => [
      ...(typeof en[r] === "string" ? [] : [`en: errors.${r}`]),
      ...(typeof zh[r] === "string" ? [] : [`zh-CN: errors.${r}`]),
    ]);
    assert.deepEqual(missing, []);
    for (const r of reasons) assert.deepEqual(argsOf(zh[r] as string), argsOf(en[r] as string), `errors.${r} uses the same values in both`);
  });

  it("is the only way errors are written: no edge builds an error object by hand", () => {
    const handmade = sources(path.join(root, "server")).flatMap((file) => {
      const text = readFileSync(file, "utf8");
      return /error:\s*\{\s*code:/.test(text) ? [path.relative(root, file)] : [];
    });
    assert.deepEqual(handmade, [], "use wireError()/errorBody()/toWireError() from server/errors.ts");
  });
});

describe("slugs", () => {
  it("keep letters of every script, drop Latin accents, and fall back to a hash only without letters", () => {
    assert.equal(slugify("设计评审"), "设计评审");
    assert.equal(slugify("设计 评审 2026"), "设计-评审-2026");
    assert.equal(slugify("Café Crème"), "cafe-creme");
    assert.equal(slugify("Ｒｅｌａｙ"), "relay");
    assert.equal(slugify("Привет, мир"), "привет-мир");
    assert.equal(slugify("General"), "general");
    assert.match(slugify("🎉🎉"), /^room-[0-9a-f]{8}$/);
    assert.equal([...slugify("长".repeat(60))].length, 48);
  });
});

let h: Harness;
let adminCookie: string;
let memberCookie: string;
let member: Client;

const api = (cookie: string, p: string, body?: unknown, method = body === undefined ? "GET" : "POST") =>
  fetch(`${h.url}${p}`, {
    method,
    headers: { cookie, origin: h.url, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
const errorOf = async (res: Response) => ((await res.json()) as { error: ServerError }).error;

before(async () => {
  h = await startServer({ env: { RATE_ROOMS_MAX: "100000" } });
  adminCookie = await register(h.url, "root");
  memberCookie = await register(h.url, "member");
  member = connectClient(h.url, memberCookie);
  await connected(member);
  assert.ok((await member.emitWithAck("room:join", { room: "general" })).ok);
});

after(async () => {
  member?.close();
  await h?.stop();
});

describe("errors carry a reason and params on every transport", () => {
  it("a muted user is told until when, over Socket.IO, HTTP and /ws alike", async () => {
    assert.equal((await api(adminCookie, "/api/admin/mutes", { user: "member", room: "general", minutes: 10 })).status, 201);
    try {
      const ack = await member.emitWithAck("message:send", { room: "general", clientId: randomUUID(), body: "hello?" });
      assert.ok(!ack.ok);
      assert.equal(ack.error.code, "forbidden");
      assert.equal(ack.error.reason, "muted");
      assert.equal(ack.error.params?.room, "general");
      const until = Date.parse(String(ack.error.params?.until));
      assert.ok(until > Date.now() + 9 * 60_000 && until <= Date.now() + 10 * 60_000, "until is an ISO time ten minutes ahead");
      assert.match(ack.error.message, /muted/, "the English message stays for scripts");

      const res = await api(memberCookie, "/api/rooms/general/messages", { clientId: randomUUID(), body: "over HTTP" });
      assert.equal(res.status, 403);
      const http = await errorOf(res);
      assert.equal(http.reason, "muted");
      assert.equal(http.params.until, ack.error.params?.until);

      const ws = new WebSocket(`${h.url.replace("http", "ws")}/ws`, { headers: { cookie: memberCookie, origin: h.url } });
      const frames: Record<string, unknown>[] = [];
      ws.on("message", (data) => frames.push(JSON.parse(String(data))));
      await new Promise((resolve, reject) => (ws.once("open", resolve), ws.once("error", reject)));
      ws.send(JSON.stringify({ type: "message:send", id: 1, room: "general", clientId: randomUUID(), body: "over /ws" }));
      ws.send(JSON.stringify({ type: "nonsense", id: 2 }));
      while (frames.length < 2) await new Promise((r) => setTimeout(r, 20));
      ws.close();
      const reply = frames.find((f) => f.id === 1) as { error: ServerError };
      assert.equal(reply.error.reason, "muted");
      assert.equal(reply.error.params.until, ack.error.params?.until);
      const unknown = frames.find((f) => f.id === 2) as { error: ServerError };
      assert.deepEqual([unknown.error.code, unknown.error.reason, unknown.error.params], ["invalid", "unknown_frame", { type: "nonsense" }]);
    } finally {
      await api(adminCookie, "/api/admin/mutes", { user: "member", room: "general" }, "DELETE");
    }
  });

  it("a name or topic over the limit is refused with the limit, never cut", async () => {
    const long = await api(memberCookie, "/api/rooms", { name: "长".repeat(MAX_ROOM_NAME + 1) });
    assert.equal(long.status, 400);
    assert.deepEqual(await errorOf(long).then((e) => [e.code, e.reason, e.params]), ["invalid", "too_long", { field: "name", max: MAX_ROOM_NAME }]);
    // Counted in characters: 48 CJK characters (or emoji) fit.
    const fits = await api(memberCookie, "/api/rooms", { name: "长".repeat(MAX_ROOM_NAME) });
    assert.equal(fits.status, 201);
    assert.equal(((await fits.json()) as { room: RoomSummary }).room.name, "长".repeat(MAX_ROOM_NAME));
    const topic = await api(memberCookie, "/api/rooms", { name: "topical", topic: "t".repeat(MAX_TOPIC + 1) });
    assert.deepEqual((await errorOf(topic)).params, { field: "topic", max: MAX_TOPIC });
    const empty = await api(memberCookie, "/api/rooms", { name: "   " });
    assert.deepEqual(await errorOf(empty).then((e) => [e.reason, e.params]), ["required", { field: "name" }]);
    const name = await fetch(`${h.url}/api/auth/sign-in/anonymous`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: h.url },
      body: JSON.stringify({ name: "n".repeat(33) }),
    });
    assert.equal(name.status, 400);
    assert.equal(((await name.json()) as { code: string }).code, "NAME_TOO_LONG");
    const tooLong = await member.emitWithAck("message:send", { room: "general", clientId: randomUUID(), body: "x".repeat(4001) });
    assert.ok(!tooLong.ok);
    assert.deepEqual([tooLong.error.code, tooLong.error.reason, tooLong.error.params], ["too_large", "message_too_long", { max: 4000 }]);
  });

  it("every refusal has params, even those written outside the services", async () => {
    const route = await errorOf(await api(memberCookie, "/api/nope"));
    assert.deepEqual([route.code, route.reason, route.params], ["not_found", "no_route", { path: "/api/nope" }]);
    const signedOut = await errorOf(await fetch(`${h.url}/api/rooms`));
    assert.deepEqual([signedOut.code, signedOut.reason, signedOut.params], ["unauthorized", "sign_in_required", {}]);
    const trace = await fetch(`${h.url}/api/rooms`, { method: "PATCH" });
    assert.equal((await errorOf(trace)).reason, "method_not_allowed");
    const feed = await fetch(`${h.url}/api/rooms/no-such-room/feed`);
    assert.equal(feed.status, 404);
    assert.deepEqual(await errorOf(feed).then((e) => [e.code, e.reason, e.params]), ["not_found", "no_feed", {}]);
    const adminOnly = await errorOf(await api(memberCookie, "/api/admin/stats"));
    assert.deepEqual([adminOnly.code, adminOnly.reason], ["forbidden", "admins_only"]);
    const noRoom = await member.emitWithAck("room:join", { room: "no-such-room" });
    assert.ok(!noRoom.ok);
    assert.deepEqual([noRoom.error.code, noRoom.error.reason, noRoom.error.params], ["not_found", "no_room", { room: "no-such-room" }]);
  });

  it("a rate limit says how many seconds to wait", async () => {
    const limited = await startServer({ env: { RATE_ROOMS_MAX: "1", RATE_ROOMS_WINDOW_MS: "60000" } });
    try {
      const cookie = await joinAsGuest(limited.url, "Hasty");
      const make = (name: string) =>
        fetch(`${limited.url}/api/rooms`, { method: "POST", headers: { cookie, origin: limited.url, "content-type": "application/json" }, body: JSON.stringify({ name }) });
      assert.equal((await make("first")).status, 201);
      const res = await make("second");
      assert.equal(res.status, 429);
      const error = await errorOf(res);
      assert.equal(error.reason, "rate_limited");
      assert.ok(typeof error.params.seconds === "number" && error.params.seconds >= 1 && error.params.seconds <= 60);
      assert.equal(error.params.seconds, Math.ceil(error.retryAfter! / 1000));
    } finally {
      await limited.stop();
    }
  });
});

describe("rooms named in any script", () => {
  it("get a readable address that every route, link, feed and embed accepts percent-encoded", async () => {
    const res = await api(memberCookie, "/api/rooms", { name: "设计评审" });
    assert.equal(res.status, 201);
    const { room } = (await res.json()) as { room: RoomSummary };
    assert.equal(room.slug, "设计评审");
    const encoded = encodeURIComponent(room.slug);

    const join = await member.emitWithAck("room:join", { room: room.slug });
    assert.ok(join.ok, JSON.stringify(join));
    const sent = await member.emitWithAck("message:send", { room: room.slug, clientId: randomUUID(), body: "你好" });
    assert.ok(sent.ok, JSON.stringify(sent));
    assert.equal(sent.message.room, "设计评审");

    const history = await api(memberCookie, `/api/rooms/${encoded}/messages`);
    assert.equal(history.status, 200);
    assert.deepEqual(((await history.json()) as { messages: { body: string }[] }).messages.map((m) => m.body), ["你好"]);
    const posted = await api(memberCookie, `/api/rooms/${encoded}/messages`, { clientId: randomUUID(), body: "over HTTP" });
    assert.equal(posted.status, 201);

    const feed = await fetch(`${h.url}/api/rooms/${encoded}/feed`, { headers: { accept: "text/event-stream" } });
    assert.equal(feed.status, 200);
    const sse = collectSse(feed);
    while (!sse.events.some((e) => e.event === "message")) await new Promise((r) => setTimeout(r, 20));
    await sse.stop();
    assert.ok(sse.events.some((e) => e.event === "message" && JSON.parse(e.data).body === "你好"));

    const embed = await fetch(`${h.url}/embed/${encoded}`);
    assert.equal(embed.status, 200);
    const html = await embed.text();
    assert.ok(html.includes(`href="/r/${encoded}"`), "the embed links back with the encoded address");
    assert.ok(html.includes(`/api/rooms/${encoded}/feed`));

    // The same name again collides by its slug, told with the slug.
    const again = await errorOf(await api(memberCookie, "/api/rooms", { name: "设计评审" }));
    assert.deepEqual([again.code, again.reason, again.params], ["conflict", "room_name_taken", { room: "设计评审" }]);
  });
});

describe("the admin page's data", () => {
  it("says who is muted in the chosen room, until when", async () => {
    await api(adminCookie, "/api/admin/mutes", { user: "member", room: "general", minutes: 5 });
    try {
      const list = async (room: string) =>
        ((await (await api(adminCookie, `/api/admin/users?q=member&room=${encodeURIComponent(room)}`)).json()) as { users: { username: string; mutedUntil: string | null }[] }).users;
      const inGeneral = (await list("general")).find((u) => u.username === "member");
      assert.ok(inGeneral?.mutedUntil && Date.parse(inGeneral.mutedUntil) > Date.now());
      const elsewhere = (await list("设计评审")).find((u) => u.username === "member");
      assert.equal(elsewhere?.mutedUntil, null);
    } finally {
      await api(adminCookie, "/api/admin/mutes", { user: "member", room: "general" }, "DELETE");
    }
  });

  it("the audit log names its targets, drops empty values, and filters by exact action or family", async () => {
    const sent = await api(adminCookie, "/api/admin/broadcasts", { text: "Maintenance at noon", level: "info" });
    assert.equal(sent.status, 201);
    type Entry = { action: string; targetName: string | null; detail: Record<string, unknown> | null };
    const entries = async (action: string) =>
      ((await (await api(adminCookie, `/api/admin/audit?action=${encodeURIComponent(action)}`)).json()) as { entries: Entry[] }).entries;
    const exact = await entries("broadcast.send");
    assert.ok(exact.length >= 1 && exact.every((e) => e.action === "broadcast.send"));
    assert.equal(exact[0]!.targetName, "Maintenance at noon");
    assert.ok(!("room" in (exact[0]!.detail ?? {})), "no room: null");
    const family = await entries("broadcast");
    assert.ok(family.length >= exact.length && family.every((e) => e.action.startsWith("broadcast.")));
    const mutes = await entries("user.mute");
    assert.ok(mutes.length >= 1 && mutes.every((e) => e.targetName === "member"));
  });
});

describe("diagnostics", () => {
  it("answers a ping at once and streams the SSE probe in spaced chunks, without buffering headers", async () => {
    const ping = await member.emitWithAck("diagnostics:ping", {});
    assert.ok(ping.ok && typeof ping.now === "number");
    assert.equal((await fetch(`${h.url}/api/diagnostics/sse-probe`)).status, 401);
    const res = await fetch(`${h.url}/api/diagnostics/sse-probe`, { headers: { cookie: memberCookie } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("x-accel-buffering"), "no");
    assert.match(res.headers.get("cache-control") ?? "", /no-transform/);
    const sse = collectSse(res);
    await sse.done;
    const chunks = sse.events.filter((e) => e.event === "chunk").map((e) => JSON.parse(e.data) as { n: number; at: number });
    assert.deepEqual(chunks.map((c) => c.n), [0, 1, 2, 3, 4]);
    assert.ok(chunks.every((c, i) => i === 0 || c.at > chunks[i - 1]!.at), "stamped in order by the server's clock");
    assert.equal(sse.events.at(-1)?.event, "done");
  });
});
