import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { connectClient, connected, joinAsGuest, register, startServer, type Harness } from "../test/harness";

describe("private room invitations", () => {
  let h: Harness;
  const cookies: Record<string, string> = {};

  const post = (who: string, path: string, body: unknown) =>
    fetch(`${h.url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie: cookies[who]!, origin: h.url },
      body: JSON.stringify(body),
    });
  const roomsOf = async (who: string) =>
    ((await (await fetch(`${h.url}/api/rooms`, { headers: { cookie: cookies[who]! } })).json()) as { rooms: { slug: string }[] }).rooms.map(
      (r) => r.slug,
    );

  before(async () => {
    h = await startServer();
    for (const name of ["alice", "bob", "dave"]) cookies[name] = await register(h.url, name);
    cookies.carol = await joinAsGuest(h.url, "Carol");
    const res = await post("alice", "/api/rooms", { name: "Secret Plans", visibility: "private" });
    assert.equal(res.status, 201);
  });

  after(async () => {
    await h?.stop();
  });

  it("lets a member add a registered user, who then sees and joins the room", async () => {
    assert.ok(!(await roomsOf("bob")).includes("secret-plans"));
    const res = await post("alice", "/api/rooms/secret-plans/members", { username: "BOB" });
    assert.equal(res.status, 201);
    assert.equal(((await res.json()) as { member: { name: string } }).member.name, "bob");
    assert.ok((await roomsOf("bob")).includes("secret-plans"));

    const socket = connectClient(h.url, cookies.bob);
    await connected(socket);
    const ack = await socket.emitWithAck("room:join", { room: "secret-plans" });
    socket.close();
    assert.equal(ack.ok, true);

    // Bob, now a member, may invite too; adding twice is harmless.
    assert.equal((await post("bob", "/api/rooms/secret-plans/members", { username: "dave" })).status, 201);
    assert.equal((await post("alice", "/api/rooms/secret-plans/members", { username: "dave" })).status, 201);
    assert.equal(await h.app.prisma.roomMember.count({ where: { room: { slug: "secret-plans" } } }), 3);
  });

  it("refuses non-members, unknown users and public rooms with clear errors", async () => {
    const outsider = await post("carol", "/api/rooms/secret-plans/members", { username: "carol" });
    assert.equal(outsider.status, 404);
    const unknown = await post("alice", "/api/rooms/secret-plans/members", { username: "nobody" });
    assert.equal(unknown.status, 404);
    assert.match(((await unknown.json()) as { error: { message: string } }).error.message, /nobody/);
    const pub = await post("alice", "/api/rooms/general/members", { username: "bob" });
    assert.equal(pub.status, 400);
    const empty = await post("alice", "/api/rooms/secret-plans/members", { username: "" });
    assert.equal(empty.status, 400);
  });
});
