import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { connectClient, connected, joinAsGuest, register, startServer, type Client, type Harness } from "./test/harness";

describe("a guest becomes an account", () => {
  let h: Harness;
  const clients: Client[] = [];
  const upgrade = (cookie: string, body: unknown) =>
    fetch(`${h.url}/api/me/upgrade`, { method: "POST", headers: { "content-type": "application/json", origin: h.url, cookie }, body: JSON.stringify(body) });
  const me = async (cookie: string) => ((await (await fetch(`${h.url}/api/me`, { headers: { cookie } })).json()) as { user: { id: string; name: string; guest: boolean } | null }).user;

  before(async () => {
    h = await startServer();
    await register(h.url, "first"); // the admin
  });
  after(async () => {
    for (const c of clients) c.close();
    await h?.stop();
  });

  it("keeps the id, name, messages, rooms and session, and can sign in with the new password", async () => {
    const guest = await joinAsGuest(h.url, "Wanderer");
    const before = await me(guest);
    assert.ok(before?.guest);
    const c = connectClient(h.url, guest);
    clients.push(c);
    await connected(c);
    const sent = await c.emitWithAck("message:send", { room: "general", clientId: randomUUID(), body: "before upgrading" });
    assert.ok(sent.ok);
    const made = await fetch(`${h.url}/api/rooms`, { method: "POST", headers: { "content-type": "application/json", origin: h.url, cookie: guest }, body: JSON.stringify({ name: "Wander room", visibility: "private" }) });
    assert.equal(made.status, 201);

    const res = await upgrade(guest, { username: "wanderer", password: "a long enough password" });
    assert.equal(res.status, 200, await res.clone().text());
    assert.deepEqual(await res.json(), { username: "wanderer" });

    // Same session, now registered.
    const now = await me(guest);
    assert.equal(now?.id, before!.id);
    assert.equal(now?.name, "Wanderer");
    assert.equal(now?.guest, false);

    // A fresh sign-in with the new credentials reaches the same user, messages and rooms.
    const signIn = await fetch(`${h.url}/api/auth/sign-in/username`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: h.url },
      body: JSON.stringify({ username: "wanderer", password: "a long enough password" }),
    });
    assert.equal(signIn.status, 200, await signIn.clone().text());
    const cookie = signIn.headers.getSetCookie().map((x) => x.split(";")[0]).join("; ");
    assert.equal((await me(cookie))?.id, before!.id);
    const history = (await (await fetch(`${h.url}/api/rooms/general/messages`, { headers: { cookie } })).json()) as { messages: { id: string; author: { id: string; guest: boolean } }[] };
    const mine = history.messages.find((m) => m.id === sent.message.id);
    assert.equal(mine?.author.id, before!.id);
    assert.equal(mine?.author.guest, false);
    const rooms = (await (await fetch(`${h.url}/api/rooms`, { headers: { cookie } })).json()) as { rooms: { name: string }[] };
    assert.ok(rooms.rooms.some((r) => r.name === "Wander room"));
  });

  it("refuses a taken username, a short password, a registered account and no session", async () => {
    const guest = await joinAsGuest(h.url, "Second guest");
    const taken = await upgrade(guest, { username: "first", password: "a long enough password" });
    assert.equal(taken.status, 409);
    assert.equal(((await taken.json()) as { error: { code: string } }).error.code, "conflict");
    assert.equal((await upgrade(guest, { username: "ok_name", password: "short" })).status, 400);
    assert.equal((await upgrade(guest, { username: "no spaces here", password: "a long enough password" })).status, 400);
    assert.equal((await me(guest))?.guest, true);
    const member = await register(h.url, "member");
    assert.equal((await upgrade(member, { username: "again", password: "a long enough password" })).status, 400);
    assert.equal((await upgrade("", { username: "nobody", password: "a long enough password" })).status, 401);
  });
});
