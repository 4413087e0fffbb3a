/**
 * The load generator's clients, on node:net only: an RFC 6455 client, a
 * Socket.IO v5 client over it (Engine.IO v4, WebSocket transport), an SSE
 * client, and a keep-alive HTTP client for the bare SSE server's sends.
 *
 * The hot path (a fan-out frame arriving at one of 500 sockets) costs a
 * frame-header parse, a prefix compare and `readMarker` (two numbers read
 * from the body's bytes): no JSON, no string, no allocation beyond the
 * chunk. Frames that are not deliveries (presence, typing) are skipped by
 * their prefix. Only ever connects to 127.0.0.1.
 */
import { randomBytes } from "node:crypto";
import net from "node:net";
import { ChunkedDecoder, encodeClientFrame, encodeSioEvent, FrameDecoder, OP, parseHttpHead, parseSioPacket } from "./frames";

export const HOST = "127.0.0.1";

/** Called for every bench message a subscriber receives. */
export type OnDelivery = (buf: Buffer, from: number, to: number) => void;

function connectTcp(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: HOST });
    s.setNoDelay(true);
    s.once("connect", () => {
      s.off("error", reject);
      resolve(s);
    });
    s.once("error", reject);
  });
}

/** Reads an HTTP response head off a fresh socket; resolves with it and whatever bytes followed. */
function readHead(s: net.Socket, timeoutMs: number): Promise<ReturnType<typeof parseHttpHead> & object> {
  return new Promise((resolve, reject) => {
    let buf: Buffer = Buffer.alloc(0);
    const timer = setTimeout(() => done(new Error("timed out waiting for the response head")), timeoutMs);
    const done = (err: Error | null, head?: ReturnType<typeof parseHttpHead>) => {
      clearTimeout(timer);
      s.off("data", onData);
      s.off("error", onErr);
      s.off("close", onClose);
      if (err) reject(err);
      else resolve(head!);
    };
    const onData = (chunk: Buffer) => {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      try {
        const head = parseHttpHead(buf);
        if (head) done(null, head);
      } catch (err) {
        done(err as Error);
      }
    };
    const onErr = (err: Error) => done(err);
    const onClose = () => done(new Error("closed before the response head"));
    s.on("data", onData);
    s.on("error", onErr);
    s.on("close", onClose);
  });
}

// ---- RFC 6455 ---------------------------------------------------------------------------

export interface WsConn {
  socket: net.Socket;
  send(text: string | Buffer): void;
  /** Text and binary frames (continuations are not used by these servers). */
  onMessage: (payload: Buffer) => void;
  onClose: () => void;
  close(): void;
}

/** One GET on a fresh TCP connection, its response head read; a status other than `expected` closes the socket and throws. */
async function openGet(port: number, path: string, headers: Record<string, string>, expected: number, what: string, timeoutMs: number) {
  const s = await connectTcp(port);
  const lines = Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join("");
  s.write(`GET ${path} HTTP/1.1\r\nHost: ${HOST}:${port}\r\n${lines}\r\n`);
  let head;
  try {
    head = await readHead(s, timeoutMs);
  } catch (err) {
    s.destroy();
    throw err;
  }
  if (head.status !== expected) {
    s.destroy();
    throw new Error(`${what} refused: HTTP ${head.status}`);
  }
  return { s, head };
}

/** `init` runs before any frame is read, so handlers set there see the first frame. */
export async function wsConnect(
  port: number,
  path: string,
  headers: Record<string, string> = {},
  timeoutMs = 30_000,
  init: (conn: WsConn) => void = () => {},
): Promise<WsConn> {
  const key = randomBytes(16).toString("base64");
  const { s, head } = await openGet(
    port,
    path,
    { Connection: "Upgrade", Upgrade: "websocket", "Sec-WebSocket-Version": "13", "Sec-WebSocket-Key": key, ...headers },
    101,
    "WebSocket upgrade",
    timeoutMs,
  );
  const conn: WsConn = {
    socket: s,
    send: (text) => s.write(encodeClientFrame(text)),
    onMessage: () => {},
    onClose: () => {},
    close: () => s.destroy(),
  };
  const decoder = new FrameDecoder((op, payload) => {
    if (op === OP.text || op === OP.binary) conn.onMessage(payload);
    else if (op === OP.ping) s.write(encodeClientFrame(Buffer.from(payload), OP.pong));
    else if (op === OP.close) s.destroy();
  });
  s.on("data", (chunk: Buffer) => decoder.push(chunk));
  s.on("error", () => {});
  s.on("close", () => conn.onClose());
  init(conn);
  if (head.rest.length) decoder.push(head.rest);
  return conn;
}

// ---- Socket.IO v5 ---------------------------------------------------------------------------

export interface SioClient {
  ws: WsConn;
  emit(name: string, ...args: unknown[]): void;
  /** Emits with an ack id; resolves with the ack's first argument. */
  emitWithAck<T = unknown>(name: string, arg: unknown, timeoutMs?: number): Promise<T>;
  /** Like emitWithAck, without the Promise: `onAck` gets the ack's raw payload. */
  emitRawAck(name: string, arg: unknown, onAck: (raw: Buffer) => void): void;
  close(): void;
}

/**
 * Connects to the default namespace. `deliveryPrefix` names the frames that
 * are deliveries (say `42["message:new",`): those go to `onDelivery`
 * unparsed; every other event frame is dropped, acks are matched by id.
 */
export async function sioConnect(
  port: number,
  opts: { cookie?: string; deliveryPrefix?: string; onDelivery?: OnDelivery; timeoutMs?: number } = {},
): Promise<SioClient> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const prefix = opts.deliveryPrefix ? Buffer.from(opts.deliveryPrefix) : null;
  const onDelivery = opts.onDelivery;
  let nextAck = 1;
  const acks = new Map<number, (raw: Buffer) => void>();
  let connected = null as ((err?: Error) => void) | null;
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => connected?.(new Error("Socket.IO connect timed out")), timeoutMs);
    connected = (err) => {
      clearTimeout(timer);
      connected = null;
      if (err) reject(err);
      else resolve();
    };
  });
  const onClose = () => {
    connected?.(new Error("closed during the Socket.IO handshake"));
  };
  const onMessage = (p: Buffer) => {
    const b0 = p[0];
    if (b0 === 0x34 /* 4 */) {
      const b1 = p[1];
      if (b1 === 0x32 /* 2: event */) {
        if (prefix && onDelivery && p.length > prefix.length && p.compare(prefix, 0, prefix.length, 0, prefix.length) === 0) onDelivery(p, prefix.length, p.length);
        return;
      }
      if (b1 === 0x33 /* 3: ack */) {
        let i = 2;
        let id = 0;
        while (i < p.length && p[i]! >= 48 && p[i]! <= 57) id = id * 10 + (p[i++]! - 48);
        const cb = acks.get(id);
        if (cb) {
          acks.delete(id);
          cb(p.subarray(i));
        }
        return;
      }
      const packet = parseSioPacket(p.toString());
      if (packet.kind === "connect") connected?.();
      else if (packet.kind === "connect_error") connected?.(new Error(`Socket.IO connect refused: ${JSON.stringify(packet.data)}`));
      return;
    }
    if (b0 === 0x32 /* 2: ping */) ws.send("3");
    else if (b0 === 0x30 /* 0: open */) ws.send("40");
  };
  let ws!: WsConn;
  try {
    await wsConnect(port, "/socket.io/?EIO=4&transport=websocket", opts.cookie ? { Cookie: opts.cookie } : {}, timeoutMs, (c) => {
      ws = c;
      c.onMessage = onMessage;
      c.onClose = onClose;
    });
  } catch (err) {
    connected?.(err as Error);
    await ready.catch(() => {});
    throw err;
  }
  try {
    await ready;
  } catch (err) {
    ws.close();
    throw err;
  }
  const client: SioClient = {
    ws,
    emit: (name, ...args) => ws.send(encodeSioEvent(name, args)),
    emitRawAck(name, arg, onAck) {
      const id = nextAck++;
      acks.set(id, onAck);
      ws.send(encodeSioEvent(name, [arg], id));
    },
    emitWithAck<T>(name: string, arg: unknown, ms = timeoutMs) {
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${name}: no ack within ${ms} ms`)), ms);
        client.emitRawAck(name, arg, (raw) => {
          clearTimeout(timer);
          try {
            resolve((JSON.parse(raw.toString()) as unknown[])[0] as T);
          } catch (err) {
            reject(err as Error);
          }
        });
      });
    },
    close: () => ws.close(),
  };
  return client;
}

// ---- SSE -----------------------------------------------------------------------------------

export interface SseConn {
  socket: net.Socket;
  close(): void;
}

/**
 * Opens an event stream and calls `onEvent(buf, from, to)` with each event's
 * bytes (between blank lines), chunked encoding removed. The stream counts as
 * open when the response head has arrived with status 200.
 */
export async function sseConnect(port: number, path: string, onEvent: OnDelivery, headers: Record<string, string> = {}, timeoutMs = 30_000): Promise<SseConn> {
  const { s, head } = await openGet(port, path, { Accept: "text/event-stream", ...headers }, 200, "SSE", timeoutMs);
  let pending: Buffer | null = null;
  const split = (data: Buffer) => {
    const buf: Buffer = pending ? Buffer.concat([pending, data]) : data;
    let off = 0;
    let at: number;
    while ((at = buf.indexOf("\n\n", off)) !== -1) {
      if (at > off) onEvent(buf, off, at);
      off = at + 2;
    }
    pending = off < buf.length ? Buffer.from(buf.subarray(off)) : null;
  };
  const chunked = /chunked/i.test(head.headers["transfer-encoding"] ?? "");
  const dechunk = chunked ? new ChunkedDecoder(split) : null;
  const feed = (chunk: Buffer) => (dechunk ? dechunk.push(chunk) : split(chunk));
  s.on("data", feed);
  s.on("error", () => {});
  if (head.rest.length) feed(head.rest);
  return { socket: s, close: () => s.destroy() };
}

// ---- A keep-alive HTTP client ------------------------------------------------------------------

/** One connection, requests written back to back; responses are counted, not parsed beyond their heads. */
export async function httpPoster(port: number): Promise<{ post(path: string, body: string): void; close(): void }> {
  const s = await connectTcp(port);
  s.on("data", () => {});
  s.on("error", () => {});
  return {
    post(path, body) {
      s.write(`POST ${path} HTTP/1.1\r\nHost: ${HOST}:${port}\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    },
    close: () => s.destroy(),
  };
}
