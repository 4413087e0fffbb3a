/**
 * Property-based fuzzing (fast-check) of everything a client can send: every
 * Socket.IO event, every /ws frame type, every JSON body the API takes.
 * Properties, for a few thousand generated inputs:
 * - an input the contract's schema refuses gets an error ack, an error frame
 *   or a 4xx, with a code from the contract;
 * - nothing ever answers `unavailable` or a 5xx (what an unexpected exception
 *   becomes), whatever the input;
 * - nothing is stored by a refused input;
 * - the process is healthy afterwards: /api/health answers and a normal
 *   message still goes through.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import WebSocket from "ws";
import type { ZodType } from "zod";
import {
  ERROR_CODES,
  broadcastSchema,
  createRoomSchema,
  deleteSchema,
  editSchema,
  joinSchema,
  leaveSchema,
  postMessageSchema,
  sendSchema,
  WS_REQUEST_TYPES,
  wsClientFrameSchema,
} from "./contract";
import { connectClient, connected, register, startServer, type Client, type Harness } from "./test/harness";

/** Enough to find shape bugs, few enough to keep `npm test` quick. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 600);
/**
 * A fixed seed keeps CI reproducible (a failure names its counterexample and
 * replays); FUZZ_SEED=random (or a number) explores other inputs.
 */
const SEED = process.env.FUZZ_SEED === "random" ? Date.now() : Number(process.env.FUZZ_SEED ?? 20261201);
fc.configureGlobal({ seed: SEED, numRuns: RUNS });
console.log(`# fuzz seed ${SEED}, ${RUNS} runs per property`);

let h: Harness;
let cookie: string;
let client: Client;

before(async () => {
  h = await startServer();
  cookie = await register(h.url, "fuzzer"); // the first account: an admin, so admin events are reached too
  client = connectClient(h.url, cookie);
  await connected(client);
  assert.ok((await client.emitWithAck("room:join", { room: "general" })).ok);
});
after(async () => {
  client?.close();
  await h?.stop();
});

async function stored() {
  const [messages, rooms, broadcasts, log, tokens] = await Promise.all([
    h.app.prisma.message.count(),
    h.app.prisma.room.count(),
    h.app.prisma.broadcast.count(),
    h.app.prisma.logEvent.count(),
    h.app.prisma.apiToken.count(),
  ]);
  return { messages, rooms, broadcasts, log, tokens };
}

/** JSON-ish values, with a bias towards objects that look like our payloads. */
const junk = fc.oneof(
  fc.anything({ maxDepth: 3, withNullPrototype: false }),
  fc.record(
    {
      room: fc.oneof(fc.string(), fc.constant("general"), fc.integer(), fc.constant(null), fc.string({ unit: "grapheme", maxLength: 80 })),
      body: fc.oneof(fc.string({ maxLength: 20_000 }), fc.integer(), fc.constant(null), fc.string({ unit: "binary" })),
      clientId: fc.oneof(fc.uuid(), fc.string(), fc.integer()),
      id: fc.oneof(fc.string(), fc.integer(), fc.constant({})),
      after: fc.oneof(fc.integer(), fc.double(), fc.string(), fc.constant(-1)),
      epoch: fc.oneof(fc.string({ maxLength: 200 }), fc.integer()),
      typing: fc.oneof(fc.boolean(), fc.string()),
      text: fc.oneof(fc.string({ maxLength: 3000 }), fc.integer()),
      level: fc.oneof(fc.constantFrom("info", "warning", "critical", "loud"), fc.integer()),
      name: fc.oneof(fc.string({ maxLength: 100 }), fc.constant("")),
      visibility: fc.oneof(fc.constantFrom("public", "private", "secret"), fc.integer()),
    },
    { requiredKeys: [] },
  ),
);

const EVENTS: { event: string; schema: ZodType; mutates: boolean }[] = [
  { event: "room:join", schema: joinSchema, mutates: false },
  { event: "room:leave", schema: leaveSchema, mutates: false },
  { event: "message:send", schema: sendSchema, mutates: true },
  { event: "message:edit", schema: editSchema, mutates: true },
  { event: "message:delete", schema: deleteSchema, mutates: true },
  { event: "admin:broadcast", schema: broadcastSchema, mutates: true },
];

const codes = new Set<string>(ERROR_CODES);

describe("fuzzing every input", () => {
  it("Socket.IO: every event answers a refused input with an error ack, never an internal error", async () => {
    const before = await stored();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...EVENTS), junk, async ({ event, schema }, payload) => {
        const ack = (await client.timeout(5000).emitWithAck(event as "room:join", payload as never)) as { ok: boolean; error?: { code: string } };
        if (!ack.ok) {
          assert.ok(codes.has(ack.error!.code), `a contract code, not ${ack.error!.code}`);
          assert.notEqual(ack.error!.code, "unavailable", `${event} ${JSON.stringify(payload)} became an internal error`);
        }
        if (!schema.safeParse(payload).success) assert.equal(ack.ok, false, `${event} accepted ${JSON.stringify(payload)}`);
      }),
    );
    // Events without an ack must not break the socket either.
    for (const payload of fc.sample(junk, 200)) {
      client.emit("typing", payload as never);
      client.emit("broadcast:ack", payload as never);
    }
    assert.ok((await client.timeout(5000).emitWithAck("room:join", { room: "general" })).ok, "the socket still works");
    const afterward = await stored();
    // Only schema-valid sends can store; random payloads essentially never are. Anything stored is checked below.
    assert.deepEqual(afterward.rooms, before.rooms);
    assert.ok(afterward.messages - before.messages <= 2, `stored ${afterward.messages - before.messages} messages from junk`);
  });

  it("/ws: every frame type answers junk with an error reply or an error frame", async () => {
    const ws = new WebSocket(`${h.url.replace("http", "ws")}/ws`, { headers: { cookie, origin: h.url } });
    await new Promise<void>((resolve, reject) => (ws.once("open", () => resolve()), ws.once("error", reject)));
    const frames: { type: string; id?: unknown; ok?: boolean; error?: { code: string } }[] = [];
    ws.on("message", (d) => frames.push(JSON.parse(d.toString())));
    const before = await stored();
    const frameArb = fc.oneof(
      junk.map((j) => JSON.stringify(j) ?? "undefined"),
      fc.tuple(fc.constantFrom(...WS_REQUEST_TYPES, "nope", ""), junk).map(([type, j]) => JSON.stringify({ ...(typeof j === "object" && j ? j : { j }), type })),
      fc.string({ maxLength: 500 }),
    );
    let n = 0;
    await fc.assert(
      fc.asyncProperty(frameArb, async (text) => {
        const id = `f${n++}`;
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = undefined;
        }
        const obj = parsed && typeof parsed === "object" && !Array.isArray(parsed) ? { ...(parsed as object), id } : parsed;
        ws.send(obj !== undefined && typeof obj === "object" ? JSON.stringify(obj) : text);
        const valid = obj !== undefined && wsClientFrameSchema.safeParse(obj).success;
        const isTyping = (obj as { type?: string } | undefined)?.type === "typing";
        if (valid && isTyping) return; // a valid typing frame has no reply
        const deadline = Date.now() + 5000;
        let answer: (typeof frames)[number] | undefined;
        while (!(answer = frames.find((f) => (f.type === "reply" || f.type === "error") && (f.id === id || (f.id === undefined && f.type === "error"))))) {
          if (Date.now() > deadline) throw new Error(`no answer to ${text.slice(0, 200)}`);
          await new Promise((r) => setTimeout(r, 2));
        }
        frames.splice(frames.indexOf(answer), 1);
        if (answer.type === "reply" && answer.ok) {
          assert.ok(valid, `accepted an invalid frame: ${text.slice(0, 200)}`);
          return;
        }
        assert.ok(codes.has(answer.error!.code));
        assert.notEqual(answer.error!.code, "unavailable", `internal error for ${text.slice(0, 200)}`);
      }),
    );
    assert.equal(ws.readyState, WebSocket.OPEN, "the connection survived");
    ws.close();
    assert.deepEqual((await stored()).rooms, before.rooms);
  });

  it("HTTP: every JSON body gets a 2xx or a 4xx with a reason, never a 5xx, and refused ones store nothing", async () => {
    const message = (await client.emitWithAck("message:send", { room: "general", clientId: randomUUID(), body: "a target" })) as { ok: true; message: { id: string } };
    const routes: { method: string; path: string; schema?: ZodType }[] = [
      { method: "POST", path: "/api/rooms", schema: createRoomSchema },
      { method: "POST", path: "/api/rooms/general/messages", schema: postMessageSchema },
      { method: "PATCH", path: `/api/rooms/general/messages/${message.message.id}` },
      { method: "POST", path: "/api/rooms/general/members" },
      { method: "POST", path: "/api/admin/broadcasts", schema: broadcastSchema },
      { method: "POST", path: "/api/admin/mutes" },
      { method: "DELETE", path: "/api/admin/mutes" },
      { method: "POST", path: "/api/admin/bans" },
      { method: "POST", path: "/api/admin/rooms/general/lock" },
      { method: "POST", path: "/api/tokens" },
      { method: "POST", path: "/api/dms" },
      { method: "POST", path: "/api/blocks" },
      { method: "POST", path: `/api/rooms/general/messages/${message.message.id}/report` },
      { method: "POST", path: "/api/auth/sign-in/anonymous" },
      { method: "POST", path: "/api/auth/sign-in/username" },
      { method: "POST", path: "/api/auth/sign-up/email" },
    ];
    const bodyArb = fc.oneof(junk.map((j) => JSON.stringify(j) ?? ""), fc.string({ maxLength: 300 }), fc.constant("{"), fc.constant(""));
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: routes.length - 1 }), bodyArb, async (index, body) => {
        const route = routes[index]!;
        const before = route.schema ? await stored() : undefined;
        const res = await fetch(`${h.url}${route.path}`, {
          method: route.method,
          headers: { cookie, origin: h.url, "content-type": "application/json" },
          body,
        });
        assert.ok(res.status < 500, `${route.method} ${route.path} ${body.slice(0, 200)} -> ${res.status}`);
        const text = await res.text();
        if (res.status >= 400) assert.ok(text.length > 0, "a refusal says why");
        if (route.schema && res.status >= 400) {
          const afterward = await stored();
          assert.deepEqual(afterward, before, `refused ${route.path} but stored something`);
        }
        if (route.schema) {
          let parsed: unknown;
          try {
            parsed = JSON.parse(body);
          } catch {
            parsed = undefined;
          }
          if (parsed === undefined || !route.schema.safeParse(parsed).success) assert.ok(res.status >= 400, `accepted ${body.slice(0, 200)}`);
        }
      }),
    );
  });

  it("leaves the process healthy", async () => {
    assert.equal((await fetch(`${h.url}/api/health`)).status, 200);
    const ack = await client.emitWithAck("message:send", { room: "general", clientId: randomUUID(), body: "still here" });
    assert.ok(ack.ok);
  });
});
