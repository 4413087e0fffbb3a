/**
 * The session fast path (server/credentials.ts): on SQLite a handshake's
 * session is checked without better-auth's request machinery, and must say
 * exactly what auth.api.getSession says: the same user and session for a
 * valid cookie; nobody for a forged, expired or banned one; and a session
 * due for refresh still goes through better-auth, which extends it.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { cookieValue, verifiedCookie } from "./credentials";
import { joinAsGuest, startServer, type Harness } from "./test/harness";

describe("cookie helpers", () => {
  it("reads the first cookie of a name, unquoted and URL-decoded, as better-call does", () => {
    assert.equal(cookieValue("a=1; b=x%2By; b=2", "b"), "x+y");
    assert.equal(cookieValue('a="q%3D"', "a"), "q=");
    assert.equal(cookieValue("ab=1", "a"), null);
    assert.equal(cookieValue("a=%E0%A4%A", "a"), "%E0%A4%A", "a value that does not decode is kept as it is");
  });
  it("accepts better-call's signature and nothing else", async () => {
    const { serializeSignedCookie } = await import("better-call");
    const { createHmac } = await import("node:crypto");
    const sign = (v: string, s: string) => `${v}.${createHmac("sha256", s).update(v).digest("base64")}`;
    // What better-call itself writes into Set-Cookie reads back here.
    const written = (await serializeSignedCookie("relay.session", "tok", "secret")).split(";")[0]!;
    assert.equal(verifiedCookie(cookieValue(written, "relay.session")!, "secret"), "tok");
    assert.equal(cookieValue(written, "relay.session"), sign("tok", "secret"));
    assert.equal(verifiedCookie(sign("tok", "secret"), "secret"), "tok");
    assert.equal(verifiedCookie(sign("tok", "secret"), "other secret"), null);
    assert.equal(verifiedCookie(sign("tok", "secret").replace("tok", "tok2"), "secret"), null);
    assert.equal(verifiedCookie("tok", "secret"), null);
    assert.equal(verifiedCookie("tok.short=", "secret"), null);
  });
});

describe("the session fast path", () => {
  let h: Harness;
  let calls = 0;
  before(async () => {
    h = await startServer({ db: "sqlite" });
    const api = h.app.ctx.auth.api as { getSession: (...a: unknown[]) => Promise<unknown> };
    const real = api.getSession.bind(api);
    api.getSession = (...a: unknown[]) => ((calls += 1), real(...a));
  });
  after(() => h.stop());

  const resolve = (cookie: string) => h.app.ctx.credentials.resolve({ headers: new Headers({ cookie }) });

  it("answers a valid session without better-auth, with what better-auth answers", async () => {
    const cookie = await joinAsGuest(h.url, "Fast Lane");
    calls = 0;
    const fast = await resolve(cookie);
    assert.equal(calls, 0, "better-auth was not asked");
    assert.ok(fast.ok && fast.credential?.kind === "session");
    const viaAuth = await h.app.ctx.auth.api.getSession({ headers: new Headers({ cookie }) });
    assert.ok(viaAuth);
    const { actor, principal } = fast.credential as Extract<NonNullable<typeof fast.credential>, { kind: "session" }>;
    assert.deepEqual(actor, { id: viaAuth.user.id, name: "Fast Lane", role: (viaAuth.user as { role?: string }).role, guest: true });
    assert.deepEqual(principal, { userId: viaAuth.user.id, sessionId: viaAuth.session.id, expiresAt: new Date(viaAuth.session.expiresAt) });
  });

  it("refuses a forged cookie, an expired session and a banned user, as better-auth does", async () => {
    const cookie = await joinAsGuest(h.url, "Not So Fast");
    const [name, value] = cookie.split("=") as [string, string];
    const forged = `${name}=${encodeURIComponent(decodeURIComponent(value).replace(/^./, (c) => (c === "A" ? "B" : "A")))}`;
    assert.deepEqual(await resolve(forged), { ok: true, credential: null });

    const { user } = (await h.app.ctx.auth.api.getSession({ headers: new Headers({ cookie }) }))!;
    await h.app.prisma.user.update({ where: { id: user.id }, data: { banned: true } });
    assert.deepEqual(await resolve(cookie), { ok: true, credential: null });
    await h.app.prisma.user.update({ where: { id: user.id }, data: { banned: false } });
    assert.ok((await resolve(cookie)).ok);

    await h.app.prisma.session.updateMany({ where: { userId: user.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    calls = 0;
    assert.deepEqual(await resolve(cookie), { ok: true, credential: null });
    assert.equal(calls, 1, "an expired session is better-auth's to clean up");
  });

  it("leaves a session due for refresh to better-auth, which extends it", async () => {
    const cookie = await joinAsGuest(h.url, "Old Session");
    const { user } = (await h.app.ctx.auth.api.getSession({ headers: new Headers({ cookie }) }))!;
    // Two days old of a month: past updateAge (a day).
    const soon = new Date(Date.now() + 28 * 24 * 3600 * 1000);
    await h.app.prisma.session.updateMany({ where: { userId: user.id }, data: { expiresAt: soon } });
    calls = 0;
    const r = await resolve(cookie);
    assert.ok(r.ok && r.credential?.kind === "session");
    assert.equal(calls, 1);
    const stored = await h.app.prisma.session.findFirstOrThrow({ where: { userId: user.id } });
    assert.ok(stored.expiresAt.getTime() > soon.getTime() + 24 * 3600 * 1000, "better-auth extended the session");
    calls = 0;
    await resolve(cookie);
    assert.equal(calls, 0, "once extended, the fast path serves it again");
  });
});
