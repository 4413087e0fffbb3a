/**
 * Display names (server/lib/names.ts): the cleaning rule as a unit, then over
 * HTTP on every path that sets a name (guest join, sign-up, update-user, the
 * admin plugin's update-user), the impersonation cases, and the guest flag
 * wherever a name travels (messages, presence, feeds).
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { avatarHue } from "../components/ui/Avatar";
import { CLAIM_MS, cleanDisplayName, createNameRegistry, MAX_NAME, nameKey } from "./lib/names";
import { collectSse, connectClient, connected, joinAsGuest, nextEvent, register, startServer, type Harness } from "./test/harness";

const PASSWORD = "correct horse battery";

const clean = (raw: unknown) => {
  const r = cleanDisplayName(raw);
  return r.ok ? r.name : r.code;
};

describe("cleanDisplayName", () => {
  it("normalizes to NFC, collapses whitespace and trims", () => {
    assert.equal(clean("  Wanda  "), "Wanda");
    assert.equal(clean("Jose\u0301"), "Jos\u00e9", "NFC: e + combining acute is é");
    assert.equal(clean("Ann\t\n  Lee"), "Ann Lee");
    assert.equal(clean("a\u2028b"), "a b", "line separator is whitespace");
  });

  it("strips control characters and every bidi control", () => {
    assert.equal(clean("ali\u0000ce\u007f\u0085"), "alice");
    assert.equal(clean("\u202eecila"), "ecila", "a right-to-left override is stripped, not applied");
    for (const c of ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069", "\u200e", "\u200f", "\u061c"]) {
      assert.equal(clean(`bo${c}b`), "bob", `U+${c.codePointAt(0)!.toString(16)}`);
    }
    assert.equal(clean("a \u202e b"), "a b", "whitespace left around a stripped character collapses");
  });

  it("counts 1-32 code points after cleaning", () => {
    assert.equal(clean(""), "NAME_REQUIRED");
    assert.equal(clean("   "), "NAME_REQUIRED");
    assert.equal(clean("\u202e\u0000"), "NAME_REQUIRED");
    assert.equal(clean(undefined), "NAME_REQUIRED");
    assert.equal(clean(42), "NAME_REQUIRED");
    assert.equal(clean("x".repeat(MAX_NAME)), "x".repeat(32));
    assert.equal(clean("x".repeat(MAX_NAME + 1)), "NAME_TOO_LONG");
    assert.equal(clean("x".repeat(60_000)), "NAME_TOO_LONG");
    assert.equal(clean("😀".repeat(32)), "😀".repeat(32), "an emoji counts once");
    assert.equal(clean(`${"x".repeat(32)}\u202e`), "x".repeat(32), "stripped characters do not count");
  });

  it("needs at least one visible character", () => {
    for (const raw of ["\u200b", "\u200b\u200c\u200d\u2060", "\u00ad", "\u0301\u0301", "\u3164", "\u2800", "\u180e", "\u034f", "\u115f\u1160"]) {
      assert.equal(clean(raw), "NAME_INVISIBLE", JSON.stringify(raw));
    }
    assert.equal(clean("\ufeff"), "NAME_REQUIRED", "trimmed away like a space");
    assert.equal(clean("\u200bx\u200b"), "\u200bx\u200b", "invisible characters next to a visible one are allowed (ZWJ emoji need them)");
    assert.equal(clean("👩\u200d💻"), "👩\u200d💻");
    assert.equal(clean("李雷"), "李雷");
  });

  it("refuses lone surrogates and towers of combining marks", () => {
    assert.equal(clean("bob\ud800"), "NAME_INVALID");
    assert.equal(clean("\udc00"), "NAME_INVALID");
    assert.equal(clean(`x${"\u0301".repeat(5)}`), "NAME_INVALID");
    assert.equal(clean(`x${"\u0301".repeat(4)}`), `x${"\u0301".repeat(4)}`);
    assert.equal(clean("Vi\u1ec7t"), "Vi\u1ec7t", "Vietnamese keeps its marks");
  });
});

describe("nameKey", () => {
  it("makes look-alikes by case, width, ligature and invisible characters one name", () => {
    const key = nameKey("alice");
    for (const other of ["Alice", "ALICE", "ａｌｉｃｅ", "ali\u200bce", "alice", "ＡＬＩＣＥ", " alice "]) assert.equal(nameKey(other), key, other);
    assert.equal(nameKey("ﬁona"), nameKey("FIONA"), "the fi ligature");
    assert.equal(nameKey("Straße"), nameKey("STRASSE"));
    assert.equal(nameKey("Ann  Lee"), nameKey("ann lee"));
    assert.notEqual(nameKey("alice"), nameKey("alice2"));
  });
});

describe("name claims", () => {
  it("lets only one of two racing claims for a name through, and frees it on release or after CLAIM_MS", async () => {
    let t = 1_000;
    const registry = createNameRegistry({ user: { findMany: async () => [] } } as never, () => t);
    const [a, b] = await Promise.all([registry.claim({ name: "Racer", guest: true }), registry.claim({ name: "racer", guest: true })]);
    assert.deepEqual([a.ok, b.ok].sort(), [false, true]);
    assert.equal((await registry.claim({ name: "RACER", guest: true })).ok, false, "held while the first one is written");
    // A registered account is not blocked by a guest's pending claim.
    assert.equal((await registry.claim({ name: "racer", guest: false })).ok, true);
    registry.release("racer");
    assert.equal((await registry.claim({ name: "Racer", guest: true })).ok, true);
    t += CLAIM_MS + 1;
    assert.equal((await registry.claim({ name: "Racer", guest: true })).ok, true, "an abandoned claim expires");
  });
});

describe("the avatar colour", () => {
  it("comes from the user id, not the name", () => {
    // Components/ui/Avatar.tsx takes only the id for its hue: two people of one name differ.
    assert.equal(avatarHue.length, 1);
    assert.notEqual(avatarHue("user-id-1"), avatarHue("user-id-2"));
    assert.equal(avatarHue("user-id-1"), avatarHue("user-id-1"));
  });
});

// ---- Over HTTP ----------------------------------------------------------------

function cookieFrom(res: Response): string {
  return res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
}

describe("display names over HTTP", () => {
  let h: Harness;
  before(async () => {
    h = await startServer();
  });
  after(async () => {
    await h?.stop();
  });

  const post = (path: string, body: unknown, cookie?: string) =>
    fetch(`${h.url}/api/auth/${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: h.url, ...(cookie ? { cookie } : {}) },
      body: JSON.stringify(body),
    });
  const guest = (name: unknown) => post("sign-in/anonymous", { name });
  const signUp = (username: string, name?: unknown) => post("sign-up/email", { username, password: PASSWORD, ...(name !== undefined ? { name } : {}) });
  const me = async (cookie: string) =>
    ((await (await fetch(`${h.url}/api/me`, { headers: { cookie } })).json()) as { user: { id: string; name: string; guest: boolean } | null }).user;
  async function refused(res: Response, status: number, code: string) {
    const body = (await res.json()) as { code?: string; message?: string };
    assert.equal(res.status, status, JSON.stringify(body));
    assert.equal(body.code, code, JSON.stringify(body));
    assert.ok(body.message && body.message.length > 5, "a reason");
    assert.equal(cookieFrom(res), "", "no session");
  }

  it("guest join: cleans the name and refuses empty, too long, invisible and malformed ones", async () => {
    await refused(await guest(""), 400, "NAME_REQUIRED");
    await refused(await guest(undefined), 400, "NAME_REQUIRED");
    await refused(await guest("x".repeat(60_000)), 400, "NAME_TOO_LONG");
    await refused(await guest("\u200b\u200b\u200b"), 400, "NAME_INVISIBLE");
    await refused(await guest("\u202e\u202e"), 400, "NAME_REQUIRED");
    await refused(await guest("ok\ud800"), 400, "NAME_INVALID");
    assert.equal(await h.app.prisma.user.count(), 0, "nothing stored");

    const res = await guest("\u202eMallory\u0007  the\tGuest ");
    assert.equal(res.status, 200);
    const user = await me(cookieFrom(res));
    assert.equal(user?.name, "Mallory the Guest");
    assert.equal(user?.guest, true);
  });

  it("a guest cannot take a registered user's username or display name, in any case or width", async () => {
    await register(h.url, "alice");
    const bob = await register(h.url, "bob_r");
    // bob_r shows as "Bob Builder".
    const renamed = await post("update-user", { name: "Bob Builder" }, bob);
    assert.equal(renamed.status, 200, await renamed.clone().text());
    for (const name of ["alice", "Alice", "ＡＬＩＣＥ", "ali\u200bce", "\u202eAlice", "bob_r", "BOB_R", "bob builder", "Bob  Builder"]) {
      await refused(await guest(name), 409, "NAME_TAKEN");
    }
    assert.equal(await h.app.prisma.user.count({ where: { isAnonymous: true } }), 1, "only the earlier guest");
  });

  it("a guest cannot take the name of a guest still signed in; it is free again after they sign out", async () => {
    const first = cookieFrom(await guest("Wanderer"));
    assert.ok(first);
    await refused(await guest("wanderer"), 409, "NAME_TAKEN");
    const out = await post("sign-out", {}, first);
    assert.equal(out.status, 200);
    const second = await guest("Wanderer");
    assert.equal(second.status, 200);
    assert.equal((await me(cookieFrom(second)))?.name, "Wanderer");
  });

  it("sign-up: the same rule for the display name, and no two registered accounts look alike", async () => {
    await refused(await signUp("zed", "\u200b"), 400, "NAME_INVISIBLE");
    await refused(await signUp("zed", "z".repeat(33)), 400, "NAME_TOO_LONG");
    await refused(await signUp("zed", "Zed\ud83d"), 400, "NAME_INVALID");
    // Another account's display name or username, as a display name.
    await refused(await signUp("mallory1", "Alice"), 409, "NAME_TAKEN");
    await refused(await signUp("mallory2", "BOB BUILDER"), 409, "NAME_TAKEN");
    // A username that is another account's display name.
    await refused(await signUp("bobbuilder_x", "bob builder"), 409, "NAME_TAKEN");
    assert.equal(await h.app.prisma.user.count({ where: { username: { in: ["zed", "mallory1", "mallory2", "bobbuilder_x"] } } }), 0);

    const ok = await signUp("zed", " Zed\u202e  Z ");
    assert.equal(ok.status, 200);
    assert.equal((await me(cookieFrom(ok)))?.name, "Zed Z");
  });

  it("a registered account is not blocked by a guest's name; the guest stays marked", async () => {
    const g = cookieFrom(await guest("Quinn"));
    const q = await signUp("quinn");
    assert.equal(q.status, 200, "a passer-by cannot squat a name before its owner registers");
    assert.deepEqual(
      [(await me(g))?.guest, (await me(cookieFrom(q)))?.guest],
      [true, false],
    );
  });

  it("update-user: cleans, refuses a taken name, and lets you keep or re-case your own", async () => {
    const cookie = await register(h.url, "renamer");
    const set = async (name: unknown) => post("update-user", { name }, cookie);
    await refused(await set("\u2066\u2069"), 400, "NAME_REQUIRED");
    await refused(await set("\u00ad\u200b"), 400, "NAME_INVISIBLE");
    await refused(await set("r".repeat(40)), 400, "NAME_TOO_LONG");
    await refused(await set("bad\udfff"), 400, "NAME_INVALID");
    await refused(await set("ALICE"), 409, "NAME_TAKEN");
    await refused(await set("bob_r"), 409, "NAME_TAKEN");
    assert.equal((await me(cookie))?.name, "renamer", "unchanged after refusals");

    assert.equal((await set("Renamer")).status, 200, "re-casing one's own name");
    assert.equal((await set("\u202eRe Namer ")).status, 200);
    assert.equal((await me(cookie))?.name, "Re Namer");

    // A guest renaming is held to the guest rule too.
    const g = cookieFrom(await guest("Shifty"));
    await refused(await post("update-user", { name: "alice" }, g), 409, "NAME_TAKEN");
    await refused(await post("update-user", { name: "Wanderer" }, g), 409, "NAME_TAKEN");
    // The body cannot name somebody else to dodge the check.
    const alice = await h.app.prisma.user.findUniqueOrThrow({ where: { username: "alice" } });
    await refused(await post("update-user", { name: "alice", userId: alice.id }, g), 409, "NAME_TAKEN");
    assert.equal((await me(g))?.name, "Shifty");
  });

  it("the admin plugin's update-user applies the same rule", async () => {
    // The first registered account of this server (alice) is the admin.
    const admin = cookieFrom(await post("sign-in/username", { username: "alice", password: PASSWORD }));
    const target = await h.app.prisma.user.findUniqueOrThrow({ where: { username: "renamer" } });
    const update = (name: string) => post("admin/update-user", { userId: target.id, data: { name } }, admin);
    await refused(await update("\u200b"), 400, "NAME_INVISIBLE");
    await refused(await update("Bob Builder"), 409, "NAME_TAKEN");
    const ok = await update("\u202eRenamed By Admin");
    assert.equal(ok.status, 200, await ok.clone().text());
    assert.equal((await h.app.prisma.user.findUniqueOrThrow({ where: { id: target.id } })).name, "Renamed By Admin");
  });
});

describe("guests are marked wherever a name travels", () => {
  let h: Harness;
  before(async () => {
    h = await startServer();
  });
  after(async () => {
    await h?.stop();
  });

  it("message authors, presence, typing, history and the public feed carry `guest`", async () => {
    const memberCookie = await register(h.url, "member");
    const guestCookie = await joinAsGuest(h.url, "Visitor");
    const member = connectClient(h.url, memberCookie);
    const visitor = connectClient(h.url, guestCookie);
    await Promise.all([connected(member), connected(visitor)]);
    try {
      await member.emitWithAck("room:join", { room: "general" });
      const presence = nextEvent(member, "presence", (p) => p.joined.some((u) => u.name === "Visitor"));
      const joined = await visitor.emitWithAck("room:join", { room: "general" });
      assert.ok(joined.ok);
      const online = joined.online.map((u) => [u.name, u.guest]).sort();
      assert.deepEqual(online, [["Visitor", true], ["member", false]]);
      assert.equal((await presence).joined.find((u) => u.name === "Visitor")?.guest, true);

      const typing = nextEvent(member, "typing");
      visitor.emit("typing", { room: "general", typing: true });
      assert.equal((await typing).user.guest, true);

      const incoming = nextEvent(member, "message:new");
      const sent = await visitor.emitWithAck("message:send", { room: "general", clientId: randomUUID(), body: "hello from a guest" });
      assert.ok(sent.ok);
      assert.equal(sent.message.author.guest, true);
      assert.deepEqual((await incoming).author, { id: sent.message.author.id, name: "Visitor", guest: true });
      const mine = await member.emitWithAck("message:send", { room: "general", clientId: randomUUID(), body: "hello from a member" });
      assert.ok(mine.ok);
      assert.equal(mine.message.author.guest, false);

      const history = (await (await fetch(`${h.url}/api/rooms/general/messages`, { headers: { cookie: memberCookie } })).json()) as {
        messages: { author: { guest: boolean } }[];
      };
      assert.deepEqual(history.messages.map((m) => m.author.guest), [true, false]);
      const rooms = (await (await fetch(`${h.url}/api/rooms`, { headers: { cookie: memberCookie } })).json()) as {
        rooms: { lastMessage: { author: string; guest: boolean } | null }[];
      };
      assert.deepEqual(rooms.rooms[0]!.lastMessage && [rooms.rooms[0]!.lastMessage.author, rooms.rooms[0]!.lastMessage.guest], ["member", false]);

      // The public feed (the embed) shows names and the guest flag, still no ids.
      const feed = collectSse(await fetch(`${h.url}/api/rooms/general/feed`));
      await waitFor(() => feed.events.filter((e) => e.event === "message").length === 2);
      await feed.stop();
      const authors = feed.events.filter((e) => e.event === "message").map((e) => JSON.parse(e.data).author);
      assert.deepEqual(authors, [
        { name: "Visitor", guest: true },
        { name: "member", guest: false },
      ]);
    } finally {
      member.close();
      visitor.close();
    }
  });
});

async function waitFor(cond: () => boolean, ms = 3000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 20));
  }
}
