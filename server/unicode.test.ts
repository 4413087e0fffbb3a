/**
 * Text at the edges: every free text a client sends must be well-formed
 * Unicode (one rule, `text()` in server/contract.ts), on every path: HTTP,
 * Socket.IO and /ws. A lone surrogate used to be stored and come back as
 * U+FFFD, silently changing the text; now it is refused with `invalid` and
 * nothing is stored. Also the broadcast cap (MAX_BROADCAST, in characters)
 * on both paths that send one.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import WebSocket from "ws";
import { MAX_BROADCAST, type WsServerFrame } from "./contract";
import { connectClient, connected, register, startServer, type Client, type Harness } from "./test/harness";

const LONE = ["\ud800", "\udfff", "tail \ud83d", "\ude00 head"];
const NOT_WELL_FORMED = /not well-formed Unicode/;

let h: Harness;
let adminCookie: string;
let admin: Client;
let messageId: string;

const send = (path: string, method: string, body: unknown, cookie = adminCookie) =>
  fetch(`${h.url}${path}`, {
    method,
    headers: { cookie, origin: h.url, "content-type": "application/json" },
    body: JSON.stringify(body),
  });

async function refusedOverHttp(res: Response, what: string) {
  const body = (await res.json()) as { error: { code: string; message: string } };
  assert.equal(res.status, 400, `${what}: ${JSON.stringify(body)}`);
  assert.equal(body.error.code, "invalid", what);
  assert.match(body.error.message, NOT_WELL_FORMED, what);
}

/** Row counts that must not move when a request is refused. */
async function counts() {
  const p = h.app.prisma;
  return {
    messages: await p.message.count(),
    log: await p.logEvent.count(),
    broadcasts: await p.broadcast.count(),
    rooms: await p.room.count(),
    tokens: await p.apiToken.count(),
    bodies: (await p.message.findMany({ select: { body: true } })).map((m) => m.body),
  };
}

before(async () => {
  h = await startServer();
  // The first registered account is the admin (broadcasts, bans).
  adminCookie = await register(h.url, "root");
  admin = connectClient(h.url, adminCookie);
  await connected(admin);
  await admin.emitWithAck("room:join", { room: "general" });
  const sent = await admin.emitWithAck("message:send", { room: "general", clientId: randomUUID(), body: "the original" });
  assert.ok(sent.ok);
  messageId = sent.message.id;
});

after(async () => {
  admin?.close();
  await h?.stop();
});

describe("lone surrogates are refused on every path", () => {
  it("over HTTP: message, edit, broadcast, room name and topic, member, token label, ban reason", async () => {
    const before = await counts();
    for (const bad of LONE) {
      await refusedOverHttp(await send("/api/rooms/general/messages", "POST", { clientId: randomUUID(), body: bad }), "POST message");
      await refusedOverHttp(await send(`/api/rooms/general/messages/${messageId}`, "PATCH", { body: bad }), "PATCH message");
      await refusedOverHttp(await send("/api/admin/broadcasts", "POST", { text: bad, level: "info" }), "broadcast");
      await refusedOverHttp(await send("/api/rooms", "POST", { name: `room ${bad}` }), "room name");
      await refusedOverHttp(await send("/api/rooms", "POST", { name: "a fine name", topic: bad }), "room topic");
      await refusedOverHttp(await send("/api/rooms/general/members", "POST", { username: bad }), "member");
      await refusedOverHttp(await send("/api/tokens", "POST", { name: bad }), "token label");
      await refusedOverHttp(await send("/api/admin/bans", "POST", { user: "nobody", reason: bad }), "ban reason");
    }
    assert.deepEqual(await counts(), before, "nothing stored, nothing changed");
    // A proper pair (an emoji) is well-formed and kept exactly.
    const ok = await send("/api/rooms/general/messages", "POST", { clientId: randomUUID(), body: "fine \ud83d\ude00" });
    assert.equal(ok.status, 201);
    assert.equal(((await ok.json()) as { message: { body: string } }).message.body, "fine 😀");
  });

  it("over Socket.IO: message:send, message:edit, admin:broadcast", async () => {
    const before = await counts();
    for (const bad of LONE) {
      const acks = [
        await admin.emitWithAck("message:send", { room: "general", clientId: randomUUID(), body: bad }),
        await admin.emitWithAck("message:edit", { room: "general", id: messageId, body: bad }),
        await admin.emitWithAck("admin:broadcast", { text: bad, level: "warning" }),
      ];
      for (const ack of acks) {
        assert.equal(ack.ok, false, JSON.stringify(ack));
        assert.equal(!ack.ok && ack.error.code, "invalid");
        assert.match(!ack.ok ? ack.error.message : "", NOT_WELL_FORMED);
      }
    }
    assert.deepEqual(await counts(), before);
  });

  it("over /ws: message:send and message:edit", async () => {
    const ws = new WebSocket(`${h.url.replace(/^http/, "ws")}/ws`, { headers: { cookie: adminCookie, origin: h.url } });
    const frames: WsServerFrame[] = [];
    ws.on("message", (d) => frames.push(JSON.parse(d.toString()) as WsServerFrame));
    await new Promise<void>((resolve, reject) => (ws.once("open", () => resolve()), ws.once("error", reject)));
    try {
      const before = await counts();
      let id = 0;
      for (const bad of LONE) {
        ws.send(JSON.stringify({ type: "message:send", id: ++id, room: "general", clientId: randomUUID(), body: bad }));
        ws.send(JSON.stringify({ type: "message:edit", id: ++id, room: "general", messageId, body: bad }));
      }
      const deadline = Date.now() + 3000;
      while (frames.filter((f) => f.type === "reply" || f.type === "error").length < id && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      const answers = frames.filter((f) => f.type === "reply" || f.type === "error");
      assert.equal(answers.length, id);
      for (const f of answers) {
        assert.ok("error" in f && f.error, JSON.stringify(f));
        assert.equal(f.error.code, "invalid");
        assert.match(f.error.message, NOT_WELL_FORMED);
      }
      assert.deepEqual(await counts(), before);
    } finally {
      ws.close();
    }
  });
});

describe("broadcast text cap", () => {
  it(`is ${MAX_BROADCAST} characters (emoji count once), over HTTP and Socket.IO`, async () => {
    const before = await h.app.prisma.broadcast.count();
    const tooLong = "x".repeat(MAX_BROADCAST + 1);
    const http = await send("/api/admin/broadcasts", "POST", { text: tooLong, level: "info" });
    assert.equal(http.status, 400);
    assert.match(((await http.json()) as { error: { message: string } }).error.message, new RegExp(`at most ${MAX_BROADCAST} characters`));
    const ack = await admin.emitWithAck("admin:broadcast", { text: `${tooLong}😀`, level: "info" });
    assert.equal(!ack.ok && ack.error.code, "invalid");
    assert.equal(await h.app.prisma.broadcast.count(), before, "nothing stored");

    // Exactly at the cap, in code points: 2000 emoji are 4000 UTF-16 units.
    const atCap = await send("/api/admin/broadcasts", "POST", { text: "😀".repeat(MAX_BROADCAST), level: "info" });
    assert.equal(atCap.status, 201, await atCap.clone().text());
    const viaSocket = await admin.emitWithAck("admin:broadcast", { text: ` ${"y".repeat(MAX_BROADCAST)} `, level: "info" });
    assert.ok(viaSocket.ok, JSON.stringify(viaSocket));
    assert.equal(viaSocket.broadcast.text.length, MAX_BROADCAST, "trimmed before counting");
  });
});
