import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  ChunkedDecoder,
  encodeClientFrame,
  encodeServerFrame,
  encodeSioEvent,
  FrameDecoder,
  makeBody,
  OP,
  parseHttpHead,
  parseSioPacket,
  parseSseEvent,
  readMarker,
  SseSplitter,
} from "./lib/frames";

/** Feeds `buf` to `push` split at every position in `cuts`. */
function feedSplit(buf: Buffer, cuts: number[], push: (b: Buffer) => void) {
  let at = 0;
  for (const c of [...cuts, buf.length]) {
    push(buf.subarray(at, c));
    at = c;
  }
}

describe("RFC 6455 frames", () => {
  it("client frames are masked (zero key) with the right length encodings", () => {
    for (const len of [0, 5, 125, 126, 300, 65535, 65536, 70000]) {
      const f = encodeClientFrame(Buffer.alloc(len, 0x61));
      assert.equal(f[0], 0x81);
      assert.equal(f[1]! & 0x80, 0x80, "mask bit");
      const head = len < 126 ? 2 : len < 65536 ? 4 : 10;
      assert.equal(f.length, head + 4 + len);
      if (len < 126) assert.equal(f[1]! & 0x7f, len);
      else if (len < 65536) assert.equal(f.readUInt16BE(2), len);
      else assert.equal(Number(f.readBigUInt64BE(2)), len);
      // A server's decoder (ours, unmasking) reads back the payload.
      const got: Buffer[] = [];
      new FrameDecoder((_op, p) => got.push(Buffer.from(p))).push(f);
      assert.equal(got[0]!.length, len);
    }
  });
  it("decodes frames split anywhere, and several in one chunk", () => {
    const frames = [encodeServerFrame("hello"), encodeServerFrame("x".repeat(200)), encodeServerFrame(Buffer.alloc(70_000, 0x62), OP.binary), encodeServerFrame("", OP.ping)];
    const all = Buffer.concat(frames);
    for (const cuts of [[], [1], [3, 4, 5], [7, 100, 210, 5000, 60000, 70010], Array.from({ length: 50 }, (_, i) => i * 1500 + 1)]) {
      const got: { op: number; len: number; text?: string }[] = [];
      const d = new FrameDecoder((op, p) => got.push({ op, len: p.length, ...(op === OP.text ? { text: p.toString() } : {}) }));
      feedSplit(all, cuts.filter((c) => c < all.length), (b) => d.push(b));
      assert.deepEqual(got, [
        { op: OP.text, len: 5, text: "hello" },
        { op: OP.text, len: 200, text: "x".repeat(200) },
        { op: OP.binary, len: 70_000 },
        { op: OP.ping, len: 0 },
      ]);
    }
  });
  it("unmasks a masked frame", () => {
    const f = encodeClientFrame("abcd");
    f.writeUInt32BE(0x01020304, 2);
    for (let i = 0; i < 4; i++) f[6 + i]! ^= [1, 2, 3, 4][i]!;
    const got: string[] = [];
    new FrameDecoder((_op, p) => got.push(p.toString())).push(f);
    assert.deepEqual(got, ["abcd"]);
  });
});

describe("HTTP", () => {
  it("parses a response head once complete, keeping what follows", () => {
    const raw = Buffer.from("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nSet-Cookie: a=1\r\nset-cookie: b=2\r\n\r\n\x81\x02hi", "latin1");
    assert.equal(parseHttpHead(raw.subarray(0, 20)), null);
    const head = parseHttpHead(raw)!;
    assert.equal(head.status, 101);
    assert.equal(head.headers.upgrade, "websocket");
    assert.equal(head.headers["set-cookie"], "a=1, b=2");
    assert.deepEqual([...head.rest], [0x81, 2, 0x68, 0x69]);
    assert.throws(() => parseHttpHead(Buffer.from("SSH-2.0\r\n\r\n")));
  });
  it("dechunks a body split anywhere, stopping at the last chunk", () => {
    const body = Buffer.from("5\r\nhello\r\n1a;ext=1\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\n\r\n");
    for (let cut = 1; cut < body.length; cut++) {
      const out: Buffer[] = [];
      const d = new ChunkedDecoder((b) => out.push(Buffer.from(b)));
      feedSplit(body, [cut], (b) => d.push(b));
      assert.equal(Buffer.concat(out).toString(), "helloabcdefghijklmnopqrstuvwxyz", `cut at ${cut}`);
      assert.ok(d.ended);
    }
  });
});

describe("SSE", () => {
  it("splits events across chunks and reads their fields", () => {
    const events: string[] = [];
    const s = new SseSplitter((e) => events.push(e));
    for (const part of ["retry: 3000\n\nevent: epoch\nda", "ta: {\"epoch\":\"e\"}\n\n: heartbeat\n\nid: 7\ndata: a\ndata: b\n", "\n"]) s.push(part);
    assert.equal(events.length, 4);
    assert.equal(parseSseEvent(events[0]!), null);
    assert.deepEqual(parseSseEvent(events[1]!), { event: "epoch", data: '{"epoch":"e"}' });
    assert.equal(parseSseEvent(events[2]!), null);
    assert.deepEqual(parseSseEvent(events[3]!), { event: "message", data: "a\nb", id: "7" });
  });
});

describe("Engine.IO / Socket.IO packets", () => {
  it("reads open, ping, connect, events and acks, with namespaces", () => {
    assert.deepEqual(parseSioPacket('0{"sid":"s","pingInterval":25000,"pingTimeout":20000}'), { kind: "open", data: { sid: "s", pingInterval: 25000, pingTimeout: 20000 } });
    assert.deepEqual(parseSioPacket("2"), { kind: "ping" });
    assert.deepEqual(parseSioPacket('40{"sid":"x"}'), { kind: "connect", data: { sid: "x" } });
    assert.deepEqual(parseSioPacket('44{"message":"unauthorized"}'), { kind: "connect_error", data: { message: "unauthorized" } });
    assert.deepEqual(parseSioPacket('42["message:new",{"seq":1}]'), { kind: "event", name: "message:new", args: [{ seq: 1 }] });
    assert.deepEqual(parseSioPacket('4217["x",1]'), { kind: "event", id: 17, name: "x", args: [1] });
    assert.deepEqual(parseSioPacket('43/admin,12[{"ok":true}]'), { kind: "ack", id: 12, args: [{ ok: true }] });
    assert.equal(parseSioPacket("6").kind, "other");
  });
  it("encodes events with and without an ack id", () => {
    assert.equal(encodeSioEvent("chat message", ["hi"]), '42["chat message","hi"]');
    assert.equal(encodeSioEvent("message:send", [{ a: 1 }], 3), '423["message:send",{"a":1}]');
  });
});

describe("the bench body", () => {
  it("carries id and send time, padded to the size, readable inside any frame", () => {
    const body = makeBody(12345, 6789.125, 100);
    assert.equal(body.length, 100);
    const frame = Buffer.from(`42["message:new",${JSON.stringify({ id: "m", body, author: { name: "Bench r1 3" } })}]`);
    assert.deepEqual(readMarker(frame), { id: 12345, sentAt: 6789.125 });
    assert.deepEqual(readMarker(Buffer.from(`data: ${body}`)), { id: 12345, sentAt: 6789.125 });
    assert.equal(readMarker(Buffer.from('42["presence",{"online":[]}]')), null);
    assert.equal(readMarker(Buffer.from("~12~")), null);
    // Bounded to the given range.
    assert.equal(readMarker(frame, 0, 10), null);
    assert.ok(makeBody(1, 1, 5).length > 5, "never cuts the marker");
  });
});
