import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { connectClient, connected, joinAsGuest, register, startServer, type Harness } from "./test/harness";

const PASSWORD = "correct horse battery";

function cookieFrom(res: Response): string {
  return res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
}

function post(h: Harness, path: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${h.url}/api/auth/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: h.url, ...headers },
    body: JSON.stringify(body),
  });
}

async function me(h: Harness, cookie: string) {
  const res = await fetch(`${h.url}/api/me`, { headers: { cookie } });
  assert.equal(res.status, 200);
  return ((await res.json()) as { user: { id: string; name: string; role: string; guest: boolean } | null }).user;
}

// better-auth keeps its in-memory rate-limit counters in a module-level map
// shared by every auth instance in this process (keyed by client IP + path),
// so this block must run before any other sign-in or sign-up in this file.
describe("sign-in attempt limit", () => {
  let h: Harness;
  before(async () => {
    h = await startServer({ env: { RATE_SIGNIN_MAX: "3" } });
  });
  after(async () => {
    await h?.stop();
  });

  it("refuses the 4th sign-in attempt within the window with 429, even with a spoofed client address", async () => {
    await register(h.url, "limited");
    const attempts: { password: string; headers: Record<string, string> }[] = [
      { password: "wrong password 1", headers: {} },
      // The adapter overwrites the client-IP header from the TCP peer, and
      // X-Forwarded-For is not trusted, so neither buys a fresh budget.
      { password: "wrong password 2", headers: { "x-chat-client-ip": "203.0.113.7" } },
      { password: PASSWORD, headers: { "x-forwarded-for": "198.51.100.9" } },
    ];
    const statuses: number[] = [];
    for (const a of attempts) {
      statuses.push((await post(h, "sign-in/username", { username: "limited", password: a.password }, a.headers)).status);
    }
    assert.deepEqual(statuses, [401, 401, 200]);
    const fourth = await post(h, "sign-in/username", { username: "limited", password: PASSWORD }, { "x-chat-client-ip": "192.0.2.1" });
    assert.equal(fourth.status, 429);
    assert.equal(cookieFrom(fourth), "", "no session for a refused attempt");
    // Other endpoints are not affected.
    assert.equal((await fetch(`${h.url}/api/health`)).status, 200);
  });
});

describe("auth", () => {
  let h: Harness;
  before(async () => {
    h = await startServer();
  });
  after(async () => {
    await h?.stop();
  });

  it("makes the first registered account admin, the next member, and guests guest", async () => {
    // A guest arriving first does not take the admin seat.
    await joinAsGuest(h.url, "Early Guest");
    await register(h.url, "Founder");
    await register(h.url, "second");
    await joinAsGuest(h.url, "Late Guest");
    const users = await h.app.prisma.user.findMany();
    const role = (name: string) => users.find((u) => u.name === name)?.role;
    assert.equal(role("Founder"), "admin");
    assert.equal(role("second"), "member");
    assert.equal(role("Early Guest"), "guest");
    assert.equal(role("Late Guest"), "guest");
    assert.equal(users.filter((u) => u.role === "admin").length, 1);
    // Registered accounts get a placeholder address, never a real one.
    for (const u of users.filter((u) => !u.isAnonymous)) assert.match(u.email, /\.invalid$/);
  });

  it("treats usernames as unique regardless of case", async () => {
    const first = await post(h, "sign-up/email", { username: "Dora", password: PASSWORD });
    assert.equal(first.status, 200);
    const dora = await me(h, cookieFrom(first));
    assert.equal(dora?.name, "Dora", "the display name keeps its case");

    for (const username of ["dora", "DORA"]) {
      const dup = await post(h, "sign-up/email", { username, password: PASSWORD });
      assert.ok(dup.status >= 400 && dup.status < 500, `${username}: ${dup.status}`);
      const body = (await dup.json()) as { code?: string; message?: string };
      assert.match(`${body.code} ${body.message}`, /username.*(taken|exists)/i, JSON.stringify(body));
      assert.equal(cookieFrom(dup), "");
    }
    const rows = await h.app.prisma.user.findMany({ where: { username: "dora" } });
    assert.equal(rows.length, 1);
  });

  it("refuses a short password with PASSWORD_TOO_SHORT and a missing username", async () => {
    const short = await post(h, "sign-up/email", { username: "shorty", password: "abc" });
    assert.equal(short.status, 400);
    assert.equal(((await short.json()) as { code: string }).code, "PASSWORD_TOO_SHORT");
    const none = await post(h, "sign-up/email", { password: PASSWORD });
    assert.equal(none.status, 400);
    assert.equal(((await none.json()) as { code: string }).code, "USERNAME_REQUIRED");
    assert.equal(await h.app.prisma.user.count({ where: { username: "shorty" } }), 0);
  });

  it("lets a guest join with a name and refuses an empty one", async () => {
    for (const body of [{ name: "" }, { name: "   " }, {}, { name: "x".repeat(33) }]) {
      const res = await post(h, "sign-in/anonymous", body);
      assert.equal(res.status, 400, JSON.stringify(body));
      const json = (await res.json()) as { message: string };
      assert.match(json.message, /name/);
      assert.equal(cookieFrom(res), "");
    }
    const res = await post(h, "sign-in/anonymous", { name: "  Wanda  " });
    assert.equal(res.status, 200);
    const cookie = cookieFrom(res);
    assert.match(cookie, /session_token=/);
    const user = await me(h, cookie);
    assert.equal(user?.name, "Wanda");
    assert.equal(user?.guest, true);
    assert.equal(user?.role, "guest");
  });

  it("signs in with a username and password, and refuses a wrong password with 401", async () => {
    await register(h.url, "sam");
    const ok = await post(h, "sign-in/username", { username: "SAM", password: PASSWORD });
    assert.equal(ok.status, 200);
    const user = await me(h, cookieFrom(ok));
    assert.equal(user?.name, "sam");
    assert.equal(user?.guest, false);

    const wrong = await post(h, "sign-in/username", { username: "sam", password: "not the password" });
    assert.equal(wrong.status, 401);
    assert.equal(cookieFrom(wrong), "");
    const unknown = await post(h, "sign-in/username", { username: "nobody_here", password: PASSWORD });
    assert.equal(unknown.status, 401);
  });

  it("signs out: the session is gone for the API and for the socket handshake", async () => {
    const cookie = await register(h.url, "leaver");
    assert.equal((await me(h, cookie))?.name, "leaver");
    const before = connectClient(h.url, cookie);
    await connected(before);
    before.close();

    const out = await fetch(`${h.url}/api/auth/sign-out`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: h.url, cookie },
      body: "{}",
    });
    assert.equal(out.status, 200);

    assert.equal(await me(h, cookie), null);
    assert.equal((await fetch(`${h.url}/api/rooms`, { headers: { cookie } })).status, 401);
    const user = await h.app.prisma.user.findUniqueOrThrow({ where: { username: "leaver" } });
    assert.equal(await h.app.prisma.session.count({ where: { userId: user.id } }), 0);

    const after = connectClient(h.url, cookie);
    await assert.rejects(connected(after), /unauthorized/);
    after.close();
  });
});

describe("concurrent first registrations", () => {
  let h: Harness;
  before(async () => {
    h = await startServer();
  });
  after(async () => {
    await h?.stop();
  });

  it("still makes exactly one admin", async () => {
    await Promise.all(Array.from({ length: 8 }, (_, i) => register(h.url, `racer${i}`)));
    const roles = (await h.app.prisma.user.findMany()).map((u) => u.role).sort();
    assert.deepEqual(roles, ["admin", ...Array(7).fill("member")]);
  });
});
