import assert from "node:assert/strict";
import { it } from "node:test";
import { startServer, register } from "./test/harness";
it("big", async () => {
  const h = await startServer();
  const cookie = await register(h.url, "alice");
  for (const size of [100e3, 1e6, 8e6]) {
    try {
      const res = await fetch(`${h.url}/api/rooms`, { method: "POST", headers: { "content-type": "application/json", origin: h.url, cookie }, body: "x".repeat(size) });
      console.log(size, res.status, await res.text());
    } catch (e) { console.log(size, "ERR", (e as Error).message, (e as any).cause?.code); }
  }
  const r = await fetch(`${h.url}/api/auth/sign-up/email`, { method: "POST", headers: { "content-type": "application/json", origin: h.url }, body: JSON.stringify({ username: "Dora", password: "correct horse battery" }) });
  console.log(r.status, await r.text());
  const r2 = await fetch(`${h.url}/api/auth/sign-up/email`, { method: "POST", headers: { "content-type": "application/json", origin: h.url }, body: JSON.stringify({ username: "dora", password: "correct horse battery" }) });
  console.log(r2.status, await r2.text());
  const r3 = await fetch(`${h.url}/api/auth/sign-up/email`, { method: "POST", headers: { "content-type": "application/json", origin: h.url }, body: JSON.stringify({ username: "shorty", password: "abc" }) });
  console.log(r3.status, await r3.text());
  const r4 = await fetch(`${h.url}/api/auth/sign-in/anonymous`, { method: "POST", headers: { "content-type": "application/json", origin: h.url }, body: JSON.stringify({ name: "" }) });
  console.log(r4.status, await r4.text());
  const r5 = await fetch(`${h.url}/api/auth/sign-in/username`, { method: "POST", headers: { "content-type": "application/json", origin: h.url }, body: JSON.stringify({ username: "DORA", password: "wrong password" }) });
  console.log(r5.status, await r5.text());
  const r6 = await fetch(`${h.url}/api/auth/sign-in/username`, { method: "POST", headers: { "content-type": "application/json", origin: h.url }, body: JSON.stringify({ username: "DORA", password: "correct horse battery" }) });
  console.log(r6.status, await r6.text(), r6.headers.getSetCookie());
  console.log(await h.app.ctx.prisma.user.findMany());
  await h.stop();
});
