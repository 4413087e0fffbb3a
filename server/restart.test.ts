import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { after, describe, it } from "node:test";
import type { Message } from "./contract";
import { AUTH_SECRET_KEY } from "./secret";
import { connectClient, connected, joinAsGuest, nextEvent, register, startServer, type Client, type Harness } from "./test/harness";

describe("restart with the same data directory", () => {
  let h: Harness | undefined;
  const clients: Client[] = [];

  const client = async (server: Harness, cookie: string) => {
    const c = connectClient(server.url, cookie);
    clients.push(c);
    await connected(c);
    return c;
  };

  after(async () => {
    for (const c of clients) c.close();
    await h?.stop();
  });

  it("keeps history, continues seqs without a gap, and honours old session cookies", async () => {
    // ---- First life ---------------------------------------------------------
    const first = await startServer();
    h = first;
    const aliceCookie = await register(first.url, "alice");
    const guestCookie = await joinAsGuest(first.url, "Gabe");
    const created = await fetch(`${first.url}/api/rooms`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: first.url, cookie: aliceCookie },
      body: JSON.stringify({ name: "Hideout", visibility: "private" }),
    });
    assert.equal(created.status, 201);

    const alice = await client(first, aliceCookie);
    assert.ok((await alice.emitWithAck("room:join", { room: "general" })).ok);
    const sent: Message[] = [];
    for (let i = 0; i < 5; i++) {
      const ack = await alice.emitWithAck("message:send", { room: "general", clientId: randomUUID(), body: `before ${i}` });
      assert.ok(ack.ok, JSON.stringify(ack));
      sent.push(ack.message);
    }
    const secret = await alice.emitWithAck("message:send", { room: "hideout", clientId: randomUUID(), body: "private note" });
    assert.ok(secret.ok, JSON.stringify(secret));
    const lastSeq = sent.at(-1)!.seq;
    if (first.db === "sqlite") {
      assert.ok(existsSync(path.join(first.dir, ".auth-secret")), "the generated secret is kept beside the database");
    } else {
      const kept = await first.app.prisma.setting.count({ where: { key: AUTH_SECRET_KEY } });
      assert.equal(kept, 1, "the generated secret is kept in the database, where every node reads it");
      assert.ok(!existsSync(path.join(first.dir, ".auth-secret")));
    }
    alice.close();

    await first.stop({ keepData: true });
    h = undefined;
    if (first.db === "sqlite") assert.ok(existsSync(path.join(first.dir, "chat.db")));

    // ---- Second life ----------------------------------------------------------
    const second = await startServer({ dir: first.dir });
    h = second;

    // The old cookies still identify the same users.
    const me = await (await fetch(`${second.url}/api/me`, { headers: { cookie: aliceCookie } })).json();
    assert.equal(me.user?.name, "alice");
    const guestMe = await (await fetch(`${second.url}/api/me`, { headers: { cookie: guestCookie } })).json();
    assert.equal(guestMe.user?.name, "Gabe");
    assert.equal(guestMe.user?.guest, true);

    const alice2 = await client(second, aliceCookie);
    const joined = await alice2.emitWithAck("room:join", { room: "general" });
    assert.ok(joined.ok, JSON.stringify(joined));
    assert.deepEqual(joined.messages, sent, "history is exactly what was sent");
    assert.deepEqual(joined.room.lastMessage, { body: "before 4", author: "alice", guest: false, createdAt: sent.at(-1)!.createdAt });

    // Catching up from a cursor works across the restart too.
    const resumed = await alice2.emitWithAck("room:join", { room: "general", after: sent[2]!.seq });
    assert.ok(resumed.ok);
    assert.deepEqual(resumed.messages.map((m) => m.body), ["before 3", "before 4"]);

    // A new message continues the seq without a gap, and is delivered live.
    const gabe = await client(second, guestCookie);
    assert.ok((await gabe.emitWithAck("room:join", { room: "general" })).ok);
    const clientId = randomUUID();
    const live = nextEvent(gabe, "message:new", (m) => m.clientId === clientId);
    const next = await alice2.emitWithAck("message:send", { room: "general", clientId, body: "after restart" });
    assert.ok(next.ok, JSON.stringify(next));
    assert.equal(next.message.seq, lastSeq + 1);
    assert.deepEqual(await live, next.message);

    // Idempotency survives the restart: resending an old clientId returns the stored message.
    const retry = await alice2.emitWithAck("message:send", { room: "general", clientId: sent[0]!.clientId, body: "before 0" });
    assert.ok(retry.ok);
    assert.equal(retry.message.id, sent[0]!.id);
    assert.equal(retry.message.seq, sent[0]!.seq);

    // The private room and its membership survived: still Alice's and still hidden from the guest.
    const hideout = await alice2.emitWithAck("room:join", { room: "hideout" });
    assert.ok(hideout.ok, JSON.stringify(hideout));
    assert.deepEqual(hideout.messages.map((m) => [m.seq, m.body]), [[1, "private note"]]);
    const refused = await gabe.emitWithAck("room:join", { room: "hideout" });
    assert.equal(!refused.ok && refused.error.code, "not_found");

    // Only one general room after ensureDefaults ran again.
    assert.equal(await second.app.prisma.room.count({ where: { slug: "general" } }), 1);
  });
});
