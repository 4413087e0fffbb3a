/**
 * Origins behind proxies. The origin check compares scheme, host and port,
 * and believes X-Forwarded-* only from peers TRUST_PROXY names; the same
 * setting gives the rate limits the client's real address. Sign-in and
 * sign-up are under the same check as every other write.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { io as connect } from "socket.io-client";
import WebSocket from "ws";
import { parseEnv } from "./env";
import { createProxyTrust } from "./http/forwarded";
import { connected, joinAsGuest, startServer, type Harness } from "./test/harness";

function upgrade(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`${url.replace("http", "ws")}/ws`, { headers });
    ws.once("open", () => (ws.close(), resolve(101)));
    ws.once("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
    ws.once("error", () => {});
  });
}

async function handshake(url: string, headers: Record<string, string>, transport: "websocket" | "polling") {
  const client = connect(url, { transports: [transport], extraHeaders: headers, reconnection: false, forceNew: true });
  try {
    await connected(client);
    return true;
  } catch {
    return false;
  } finally {
    client.close();
  }
}

describe("origins without a trusted proxy", () => {
  let h: Harness;
  let cookie: string;
  before(async () => {
    h = await startServer();
    cookie = await joinAsGuest(h.url, "Origin tester");
  });
  after(async () => h?.stop());

  // Forwarded headers that would make a foreign origin look like ours.
  const spoofed = { origin: "http://evil.example", "x-forwarded-host": "evil.example", "x-forwarded-proto": "http" };

  it("refuses a foreign Origin dressed up with X-Forwarded-Host, on every handshake", async () => {
    for (const transport of ["websocket", "polling"] as const) {
      assert.equal(await handshake(h.url, { cookie, ...spoofed }, transport), false, `Socket.IO ${transport}`);
      assert.equal(await handshake(h.url, { cookie, origin: h.url }, transport), true, `own origin over ${transport}`);
    }
    assert.equal(await upgrade(h.url, { cookie, ...spoofed }), 403);
    const post = await fetch(`${h.url}/api/rooms`, {
      method: "POST",
      headers: { cookie, "content-type": "application/json", ...spoofed },
      body: JSON.stringify({ name: "Spoofed" }),
    });
    assert.equal(post.status, 403);
  });

  it("compares the scheme and the port too", async () => {
    const url = new URL(h.url);
    for (const origin of [`https://${url.host}`, `http://${url.hostname}:1`, `http://${url.hostname}`]) {
      assert.equal(await handshake(h.url, { cookie, origin }, "polling"), false, origin);
      assert.equal(await upgrade(h.url, { cookie, origin }), 403, origin);
    }
  });

  it("refuses sign-in and sign-up from a foreign origin (not only the browser's preflight does)", async () => {
    for (const [path, body] of [
      ["/api/auth/sign-in/anonymous", { name: "Phished" }],
      ["/api/auth/sign-in/username", { username: "nobody", password: "whatever really" }],
      ["/api/auth/sign-up/email", { username: "phished", password: "a long password here" }],
    ] as const) {
      const res = await fetch(`${h.url}${path}`, { method: "POST", headers: { "content-type": "application/json", origin: "http://evil.example" }, body: JSON.stringify(body) });
      assert.equal(res.status, 403, path);
      assert.equal(res.headers.getSetCookie().length, 0, `${path}: no session handed out`);
    }
    const ours = await fetch(`${h.url}/api/auth/sign-in/anonymous`, { method: "POST", headers: { "content-type": "application/json", origin: h.url }, body: JSON.stringify({ name: "Legit" }) });
    assert.equal(ours.status, 200);
  });
});

describe("origins behind a trusted proxy (TRUST_PROXY)", () => {
  let h: Harness;
  before(async () => {
    // The proxy in front is on loopback: believe it. Sign-ins are limited to 3 per address here.
    h = await startServer({ env: { TRUST_PROXY: "loopback", RATE_SIGNIN_MAX: "3" } });
  });
  after(async () => h?.stop());

  it("takes the origin the client used from the proxy's headers", async () => {
    const behind = { "x-forwarded-proto": "https", "x-forwarded-host": "chat.example", "x-forwarded-for": "203.0.113.7" };
    const cookie = await (async () => {
      const res = await fetch(`${h.url}/api/auth/sign-in/anonymous`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: "https://chat.example", ...behind },
        body: JSON.stringify({ name: "Behind the proxy" }),
      });
      assert.equal(res.status, 200);
      return res.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
    })();
    assert.equal(await handshake(h.url, { cookie, origin: "https://chat.example", ...behind }, "polling"), true);
    assert.equal(await handshake(h.url, { cookie, origin: "http://chat.example", ...behind }, "polling"), false, "scheme differs");
  });

  it("gives the rate limits the client's address from X-Forwarded-For", async () => {
    const signIn = (forwardedFor: string) =>
      fetch(`${h.url}/api/auth/sign-in/username`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: h.url, "x-forwarded-for": forwardedFor },
        body: JSON.stringify({ username: "nobody", password: "wrong password" }),
      });
    for (let i = 0; i < 3; i++) assert.equal((await signIn("198.51.100.1")).status, 401);
    assert.equal((await signIn("198.51.100.1")).status, 429, "that address is over its limit");
    assert.equal((await signIn("198.51.100.2")).status, 401, "another client behind the same proxy is not");
  });
});

describe("TRUST_PROXY parsing", () => {
  it("accepts hop counts and address lists, refuses 'true' and nonsense", () => {
    for (const ok of ["1", "2", "loopback", "10.0.0.0/8, 192.168.1.2", ""]) assert.doesNotThrow(() => parseEnv({ TRUST_PROXY: ok }), ok);
    for (const bad of ["true", "not-an-address"]) assert.throws(() => parseEnv({ TRUST_PROXY: bad }), /TRUST_PROXY/, bad);
  });

  it("believes a forwarded client address only from a trusted hop", () => {
    const req = (remote: string, xff?: string) =>
      ({ socket: { remoteAddress: remote }, connection: { remoteAddress: remote }, headers: xff ? { "x-forwarded-for": xff } : {} }) as never;
    assert.equal(createProxyTrust(undefined).clientAddress(req("10.0.0.5", "1.2.3.4")), "10.0.0.5");
    assert.equal(createProxyTrust("10.0.0.0/8").clientAddress(req("10.0.0.5", "1.2.3.4")), "1.2.3.4");
    assert.equal(createProxyTrust("10.0.0.0/8").clientAddress(req("8.8.8.8", "1.2.3.4")), "8.8.8.8");
    assert.equal(createProxyTrust("1").clientAddress(req("8.8.8.8", "9.9.9.9, 1.2.3.4")), "1.2.3.4");
  });
});
