/**
 * Wire framing for the load generator, pure and streaming: RFC 6455 frames
 * (client side: masked sends, unmasked receives), HTTP/1.1 chunked bodies,
 * Server-Sent Events, and the few Engine.IO v4 / Socket.IO v5 packets a chat
 * client needs. Parsers take chunks as TCP delivers them (split anywhere)
 * and call back with whole units. Unit-tested in bench/frames.test.ts.
 */

export const OP = { cont: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const;

/**
 * One client-to-server frame, FIN set, masked as RFC 6455 requires. The
 * mask key is zero: a valid key that leaves the payload as it is, so the
 * generator spends nothing on masking (the server still unmasks).
 */
export function encodeClientFrame(payload: Buffer | string, opcode: number = OP.text): Buffer {
  const body = typeof payload === "string" ? Buffer.from(payload) : payload;
  const len = body.length;
  const headLen = len < 126 ? 2 : len < 65536 ? 4 : 10;
  const out = Buffer.allocUnsafe(headLen + 4 + len);
  out[0] = 0x80 | opcode;
  if (len < 126) out[1] = 0x80 | len;
  else if (len < 65536) {
    out[1] = 0x80 | 126;
    out.writeUInt16BE(len, 2);
  } else {
    out[1] = 0x80 | 127;
    out.writeBigUInt64BE(BigInt(len), 2);
  }
  out.writeUInt32BE(0, headLen);
  body.copy(out, headLen + 4);
  return out;
}

/** Unmasked server frame (for tests and the baselines' expectations). */
export function encodeServerFrame(payload: Buffer | string, opcode: number = OP.text): Buffer {
  const body = typeof payload === "string" ? Buffer.from(payload) : payload;
  const len = body.length;
  const headLen = len < 126 ? 2 : len < 65536 ? 4 : 10;
  const out = Buffer.allocUnsafe(headLen + len);
  out[0] = 0x80 | opcode;
  if (len < 126) out[1] = len;
  else if (len < 65536) {
    out[1] = 126;
    out.writeUInt16BE(len, 2);
  } else {
    out[1] = 127;
    out.writeBigUInt64BE(BigInt(len), 2);
  }
  body.copy(out, headLen);
  return out;
}

/**
 * Streaming RFC 6455 decoder. Calls `onFrame(opcode, payload, fin)` per
 * frame; payload is a view into the received bytes (valid during the call).
 * Masked frames (not expected from a server) are unmasked.
 */
export class FrameDecoder {
  private pending: Buffer | null = null;
  constructor(private readonly onFrame: (opcode: number, payload: Buffer, fin: boolean) => void) {}

  push(chunk: Buffer): void {
    let buf = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    let off = 0;
    for (;;) {
      if (buf.length - off < 2) break;
      const b0 = buf[off]!;
      const b1 = buf[off + 1]!;
      let len = b1 & 0x7f;
      let head = 2;
      if (len === 126) {
        if (buf.length - off < 4) break;
        len = buf.readUInt16BE(off + 2);
        head = 4;
      } else if (len === 127) {
        if (buf.length - off < 10) break;
        len = Number(buf.readBigUInt64BE(off + 2));
        head = 10;
      }
      const masked = (b1 & 0x80) !== 0;
      if (masked) head += 4;
      if (buf.length - off < head + len) break;
      let payload = buf.subarray(off + head, off + head + len);
      if (masked) {
        const key = buf.subarray(off + head - 4, off + head);
        payload = Buffer.from(payload);
        for (let i = 0; i < payload.length; i++) payload[i]! ^= key[i & 3]!;
      }
      off += head + len;
      this.onFrame(b0 & 0x0f, payload, (b0 & 0x80) !== 0);
    }
    this.pending = off < buf.length ? Buffer.from(buf.subarray(off)) : null;
    buf = Buffer.alloc(0);
  }
}

// ---- HTTP ------------------------------------------------------------------------

export interface HttpHead {
  status: number;
  headers: Record<string, string>;
  /** Bytes after the blank line. */
  rest: Buffer;
}

/** Parses a response head once it is complete; null while it is not. Header names are lower-cased; repeated ones joined by ", ". */
export function parseHttpHead(buf: Buffer): HttpHead | null {
  const end = buf.indexOf("\r\n\r\n");
  if (end === -1) return null;
  const lines = buf.subarray(0, end).toString("latin1").split("\r\n");
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? "");
  if (!m) throw new Error(`not an HTTP response: ${JSON.stringify(lines[0])}`);
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const i = line.indexOf(":");
    if (i <= 0) continue;
    const name = line.slice(0, i).trim().toLowerCase();
    const value = line.slice(i + 1).trim();
    headers[name] = headers[name] !== undefined ? `${headers[name]}, ${value}` : value;
  }
  return { status: Number(m[1]), headers, rest: buf.subarray(end + 4) };
}

/** Streaming decoder of a `transfer-encoding: chunked` body; calls `onData` with each piece of body. */
export class ChunkedDecoder {
  private pending: Buffer | null = null;
  /** Body bytes still due in the current chunk, then its CRLF. */
  private remaining = 0;
  private crlf = 0;
  ended = false;
  constructor(private readonly onData: (data: Buffer) => void) {}

  push(chunk: Buffer): void {
    let buf = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = null;
    let off = 0;
    while (off < buf.length && !this.ended) {
      if (this.remaining > 0) {
        const n = Math.min(this.remaining, buf.length - off);
        this.onData(buf.subarray(off, off + n));
        off += n;
        this.remaining -= n;
        if (this.remaining === 0) this.crlf = 2;
        continue;
      }
      if (this.crlf > 0) {
        const n = Math.min(this.crlf, buf.length - off);
        off += n;
        this.crlf -= n;
        continue;
      }
      const eol = buf.indexOf("\r\n", off);
      if (eol === -1) break;
      const size = parseInt(buf.subarray(off, eol).toString("latin1").split(";")[0]!, 16);
      if (!Number.isFinite(size)) throw new Error("bad chunk size");
      off = eol + 2;
      if (size === 0) this.ended = true;
      else this.remaining = size;
    }
    if (off < buf.length && !this.ended) this.pending = Buffer.from(buf.subarray(off));
    buf = Buffer.alloc(0);
  }
}

/**
 * Streaming Server-Sent Events splitter: calls `onEvent(raw)` with the text
 * of each event (its lines, without the blank line that ends it). Comments
 * (heartbeats) arrive as events too; parseSseEvent tells them apart.
 */
export class SseSplitter {
  private pending = "";
  constructor(private readonly onEvent: (raw: string) => void) {}
  push(data: Buffer | string): void {
    let text = this.pending + (typeof data === "string" ? data : data.toString("utf8"));
    let at: number;
    while ((at = text.indexOf("\n\n")) !== -1) {
      const raw = text.slice(0, at);
      text = text.slice(at + 2);
      if (raw.length) this.onEvent(raw);
    }
    this.pending = text;
  }
}

export interface SseEvent {
  event: string;
  data: string;
  id?: string;
}

/** One event's fields (`event` defaults to "message"); null for a comment-only block. */
export function parseSseEvent(raw: string): SseEvent | null {
  let event = "message";
  let id: string | undefined;
  const data: string[] = [];
  let any = false;
  for (const line of raw.split("\n")) {
    if (line.startsWith(":") || line === "") continue;
    const i = line.indexOf(":");
    const field = i === -1 ? line : line.slice(0, i);
    let value = i === -1 ? "" : line.slice(i + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") event = value;
    else if (field === "data") data.push(value);
    else if (field === "id") id = value;
    else continue;
    any = true;
  }
  return any ? { event, data: data.join("\n"), ...(id !== undefined ? { id } : {}) } : null;
}

// ---- Engine.IO v4 / Socket.IO v5 ---------------------------------------------------

/**
 * A text Engine.IO packet: type digit then data. Socket.IO packets ride in
 * type 4 ("message"): their own type digit, an optional namespace ("/x,"),
 * an optional ack id, then JSON.
 */
export type SioPacket =
  | { kind: "open"; data: { sid: string; pingInterval: number; pingTimeout: number } }
  | { kind: "ping" }
  | { kind: "close" }
  | { kind: "connect"; data: unknown }
  | { kind: "connect_error"; data: unknown }
  | { kind: "event"; id?: number; name: string; args: unknown[] }
  | { kind: "ack"; id: number; args: unknown[] }
  | { kind: "other"; raw: string };

export function parseSioPacket(text: string): SioPacket {
  const eio = text.charCodeAt(0) - 48;
  if (eio === 0) return { kind: "open", data: JSON.parse(text.slice(1)) };
  if (eio === 1) return { kind: "close" };
  if (eio === 2) return { kind: "ping" };
  if (eio !== 4) return { kind: "other", raw: text };
  const sio = text.charCodeAt(1) - 48;
  let i = 2;
  if (text[i] === "/") {
    const comma = text.indexOf(",", i);
    i = comma === -1 ? text.length : comma + 1;
  }
  let id: number | undefined;
  const idStart = i;
  while (i < text.length && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i++;
  if (i > idStart) id = Number(text.slice(idStart, i));
  const json = text.slice(i);
  const data: unknown = json ? JSON.parse(json) : undefined;
  if (sio === 0) return { kind: "connect", data };
  if (sio === 4) return { kind: "connect_error", data };
  if (sio === 2 && Array.isArray(data)) return { kind: "event", ...(id !== undefined ? { id } : {}), name: String(data[0]), args: data.slice(1) };
  if (sio === 3 && id !== undefined) return { kind: "ack", id, args: Array.isArray(data) ? data : [] };
  return { kind: "other", raw: text };
}

/** `42[name,...args]`, with an ack id when given. */
export function encodeSioEvent(name: string, args: unknown[], ackId?: number): string {
  return `42${ackId ?? ""}${JSON.stringify([name, ...args])}`;
}

// ---- The bench's message body ----------------------------------------------------------

/**
 * Every bench message's body: `~<id>~<sentAtMs>~` then padding to `size`
 * bytes. The generator finds the first "~" in a frame and reads the two
 * numbers there, without parsing the JSON around it; names in the bench
 * never contain "~".
 */
export function makeBody(id: number, sentAtMs: number, size: number): string {
  const head = `~${id}~${sentAtMs.toFixed(3)}~`;
  return head.length >= size ? head : head + "x".repeat(size - head.length);
}

/** The (id, sentAt) a frame's bytes carry, or null when it holds no bench body. */
export function readMarker(buf: Buffer, from = 0, to = buf.length): { id: number; sentAt: number } | null {
  const start = buf.indexOf(0x7e, from);
  if (start === -1 || start >= to) return null;
  let i = start + 1;
  let id = 0;
  let digits = 0;
  for (; i < to; i++) {
    const c = buf[i]!;
    if (c < 48 || c > 57) break;
    id = id * 10 + (c - 48);
    digits++;
  }
  if (!digits || buf[i] !== 0x7e) return null;
  const tStart = i + 1;
  const tEnd = buf.indexOf(0x7e, tStart);
  if (tEnd === -1 || tEnd >= to) return null;
  const sentAt = Number(buf.toString("latin1", tStart, tEnd));
  return Number.isFinite(sentAt) ? { id, sentAt } : null;
}
