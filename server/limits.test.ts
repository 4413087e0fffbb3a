/**
 * Limits on everything a client can make the server do: open streams, typing
 * floods, presence churn, rooms and tokens, messages. Every refusal says how
 * long to wait (`retryAfter` in acks and bodies, `Retry-After` on 429s).
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import WebSocket from "ws";
import type { PresencePayload, TypingPayload } from "./contract";
import { connectClient, connected, joinAsGuest, register, startServer, type Harness } from "./test/harness";

const post = (h: Harness, path: string, cookie: string, body: unknown = {}, headers: Record<string, string> = {}) =>
  fetch(`${h.url}${path}`, { method: "POST", headers: { cookie, origin: h.url, "content-type": "application/json", ...headers }, body: JSON.stringify(body) });

describe("SSE streams are capped per address and in total", () => {
  let h: Harness;
  before(async () => {
    h = await startServer({ env: { SSE_MAX_PER_ADDRESS: "3", SSE_MAX_TOTAL: "5", TRUST_PROXY: "loopback" } });
  });
  after(async () => h?.stop());

  it("refuses the stream past the cap with 429 / 503 and Retry-After, and frees slots on close", async () => {
    const open = (from: string) => fetch(`${h.url}/api/rooms/general/feed`, { headers: { "x-forwarded-for": from } });
    const mine = await Promise.all([1, 2, 3].map(() => open("198.51.100.10")));
    for (const r of mine) assert.equal(r.status, 200);
    const fourth = await open("198.51.100.10");
    assert.equal(fourth.status, 429);
    assert.equal(fourth.headers.get("retry-after"), "5");
    assert.equal(((await fourth.json()) as { error: { code: string } }).error.code, "rate_limited");

    const others = await Promise.all([open("198.51.100.11"), open("198.51.100.12")]);
    for (const r of others) assert.equal(r.status, 200);
    const full = await open("198.51.100.13");
    assert.equal(full.status, 503, "the node is full");
    assert.ok(full.headers.get("retry-after"));

    await mine[0]!.body!.cancel();
    await new Promise((r) => setTimeout(r, 100));
    const again = await open("198.51.100.10");
    assert.equal(again.status, 200, "a closed stream gives its slot back");
    for (const r of [...mine.slice(1), ...others, again]) await r.body?.cancel();
  });
});

describe("floods are coalesced or refused", () => {
  let h: Harness;
  before(async () => {
    h = await startServer({ env: { RATE_ROOMS_MAX: "3", RATE_TOKENS_MAX: "2", RATE_MESSAGES_MAX: "5" } });
  });
  after(async () => h?.stop());

  it("relays a typing flood as a handful of events", async () => {
    const typist = connectClient(h.url, await joinAsGuest(h.url, "Fast typist"));
    const reader = connectClient(h.url, await joinAsGuest(h.url, "Patient reader"));
    await Promise.all([connected(typist), connected(reader)]);
    for (const c of [typist, reader]) assert.ok((await c.emitWithAck("room:join", { room: "general" })).ok);
    const got: TypingPayload[] = [];
    reader.on("typing", (t) => got.push(t));
    for (let i = 0; i < 5000; i++) typist.emit("typing", { room: "general", typing: true });
    await typist.emitWithAck("room:join", { room: "general" }); // everything before it has been handled
    await new Promise((r) => setTimeout(r, 200));
    assert.ok(got.length >= 1 && got.length <= 3, `${got.length} typing events relayed for 5000`);
    typist.close();
    reader.close();
  });

  it("turns join/leave churn into a few presence deltas, not one per change", async () => {
    const watcher = connectClient(h.url, await joinAsGuest(h.url, "Churn watcher"));
    const churner = connectClient(h.url, await joinAsGuest(h.url, "Churner"));
    await Promise.all([connected(watcher), connected(churner)]);
    assert.ok((await watcher.emitWithAck("room:join", { room: "general" })).ok);
    const deltas: PresencePayload[] = [];
    watcher.on("presence", (p) => deltas.push(p));
    for (let i = 0; i < 500; i++) {
      await churner.emitWithAck("room:join", { room: "general" });
      await churner.emitWithAck("room:leave", { room: "general" });
    }
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(deltas.length < 100, `${deltas.length} presence deltas for 500 join/leave pairs`);
    watcher.close();
    churner.close();
  });

  it("limits room creation per user, with Retry-After", async () => {
    const cookie = await register(h.url, "roomhoarder");
    for (let i = 0; i < 3; i++) assert.equal((await post(h, "/api/rooms", cookie, { name: `Hoard ${i}` })).status, 201);
    const refused = await post(h, "/api/rooms", cookie, { name: "Hoard 3" });
    assert.equal(refused.status, 429);
    const retryAfter = Number(refused.headers.get("retry-after"));
    assert.ok(retryAfter > 3000 && retryAfter <= 3600, String(retryAfter));
    const body = (await refused.json()) as { error: { code: string; retryAfter: number } };
    assert.equal(body.error.code, "rate_limited");
    assert.ok(body.error.retryAfter > 3_000_000);
    // Another user is not affected.
    assert.equal((await post(h, "/api/rooms", await register(h.url, "otherbuilder"), { name: "Mine" })).status, 201);
  });

  it("limits token creation per user", async () => {
    const cookie = await register(h.url, "tokenhoarder");
    for (let i = 0; i < 2; i++) assert.equal((await post(h, "/api/tokens", cookie, { name: `t${i}` })).status, 201);
    const refused = await post(h, "/api/tokens", cookie, { name: "t2" });
    assert.equal(refused.status, 429);
    assert.ok(refused.headers.get("retry-after"));
  });

  it("answers a /ws client that floods frames with rate_limited and retryAfter, and keeps it open", async () => {
    const ws = new WebSocket(`${h.url.replace("http", "ws")}/ws`, { headers: { cookie: await joinAsGuest(h.url, "Frame flooder"), origin: h.url } });
    await new Promise<void>((resolve, reject) => (ws.once("open", () => resolve()), ws.once("error", reject)));
    const replies: { id?: string; ok?: boolean; error?: { code: string; retryAfter?: number } }[] = [];
    ws.on("message", (d) => replies.push(JSON.parse(d.toString())));
    for (let i = 0; i < 200; i++) ws.send(JSON.stringify({ type: "room:join", id: `j${i}`, room: "general" }));
    await new Promise((r) => setTimeout(r, 1500));
    const refused = replies.filter((r) => r.ok === false && r.error?.code === "rate_limited");
    assert.ok(refused.length > 0, "some frames were refused");
    assert.ok(refused.every((r) => r.error!.retryAfter! > 0), "each refusal says how long to wait");
    assert.equal(ws.readyState, WebSocket.OPEN);
    ws.close();
  });

  it("says how long to wait when sending too fast, on the socket ack and on HTTP", async () => {
    const cookie = await joinAsGuest(h.url, "Chatterbox");
    const client = connectClient(h.url, cookie);
    await connected(client);
    const acks = [];
    for (let i = 0; i < 6; i++) acks.push(await client.emitWithAck("message:send", { room: "general", clientId: randomUUID(), body: `fast ${i}` }));
    const refused = acks[5]!;
    assert.ok(!refused.ok && refused.error.code === "rate_limited");
    assert.ok(!refused.ok && refused.error.retryAfter! > 0 && refused.error.retryAfter! <= 10_000);
    const http = await post(h, "/api/rooms/general/messages", cookie, { clientId: randomUUID(), body: "still fast" });
    assert.equal(http.status, 429);
    assert.ok(Number(http.headers.get("retry-after")) >= 1);
    client.close();
  });
});
