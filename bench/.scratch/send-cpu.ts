// Quick probe: server CPU per message:send with no subscribers (scratch, not committed).
import { readFileSync } from "node:fs";
import { randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { startNode } from "../../server/test/cluster";
import { connectClient, connected, joinAsGuest } from "../../server/test/harness";

const dir = mkdtempSync(path.join(os.tmpdir(), "sendcpu-"));
const node = await startNode({ DATABASE_URL: process.env.DB ?? `file:${path.join(dir, "chat.db")}`, RATE_MESSAGES_MAX: "1000000" });
const ticks = () => {
  const f = readFileSync(`/proc/${node.child.pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(f[11]) + Number(f[12])) * 10; // ms (CLK_TCK=100)
};
const client = connectClient(node.url, await joinAsGuest(node.url, "Probe"));
await connected(client);
const N = Number(process.env.N ?? 2000);
for (let i = 0; i < 200; i++) await client.emitWithAck("message:send", { room: "general", clientId: randomUUID(), body: "warm" });
const t0 = ticks();
const w0 = Date.now();
for (let i = 0; i < N; i++) {
  const ack = await client.emitWithAck("message:send", { room: "general", clientId: randomUUID(), body: "x".repeat(100) });
  if (!ack.ok) throw new Error(JSON.stringify(ack));
}
const cpu = ticks() - t0;
console.log(`${N} sends: server CPU ${cpu} ms = ${((cpu / N) * 1000).toFixed(0)} µs/send; wall ${Date.now() - w0} ms`);
client.close();
await node.stop();
