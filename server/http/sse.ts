/**
 * The SSE feed, GET /api/rooms/:slug/feed: a thin adapter over the room log.
 *
 * - Access: public rooms need no login; private rooms need a member's session
 *   or a feed token (?token=). Read-only either way.
 * - Resume: from Last-Event-ID (or ?lastEventId=), replayed from the database
 *   page by page, then live. Live events that arrive during the replay are
 *   held and sent after it, skipping any seq already sent: no gap, no
 *   duplicate. A cursor that cannot be honoured gets `event: reset`.
 * - Without a cursor the stream starts with the newest page, so an embed has
 *   something to show at once.
 * - A slow consumer is dropped once its unsent bytes pass a bound, and a
 *   closed connection releases its subscription and timer.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { BusEvent } from "../bus";
import type { LogEntry, LogPage, Message } from "../contract";
import { actorFromHeaders, type AppContext } from "../context";
import type { RoomRecord } from "../services/rooms";
import { logSeq } from "../bus";
import { decodeSegment } from "./guard";

/** Heartbeat comment period: proxies drop idle streams after 30-60 s. */
export const HEARTBEAT_MS = 15_000;
/** Reconnect delay suggested to EventSource (its `retry:` field). */
export const RETRY_MS = 3_000;
/** Unsent bytes a client may fall behind before it is dropped. */
export const MAX_BUFFERED_BYTES = 256 * 1024;

export const FEED_PATH = /^\/api\/rooms\/([^/]+)\/feed\/?$/;

type Send = (event: string, data: unknown, id?: number) => boolean;

function headersOf(req: IncomingMessage): Headers {
  const h = new Headers();
  if (req.headers.cookie) h.set("cookie", req.headers.cookie);
  return h;
}

function corsOrigin(ctx: AppContext, origin: string | undefined): string | null {
  const allowed = ctx.env.FEED_ALLOWED_ORIGINS;
  if (allowed.length === 0 || allowed.includes("*")) return "*";
  return origin && allowed.includes(origin) ? origin : null;
}

function fail(res: ServerResponse, status: number, code: string, message: string, cors: string | null) {
  res.writeHead(status, {
    "content-type": "application/json",
    "cache-control": "no-store",
    ...(cors ? { "access-control-allow-origin": cors, vary: "Origin" } : {}),
  });
  res.end(JSON.stringify({ error: { code, message } }));
}

/**
 * Resolves the room if the request may read its feed, and the signed-in
 * reader when there is one (a ban must be able to close their streams).
 */
async function authorize(ctx: AppContext, req: IncomingMessage, slug: string, url: URL): Promise<{ room: RoomRecord; userId?: string } | null> {
  const room = await ctx.prisma.room.findUnique({ where: { slug } });
  if (!room) return null;
  const token = url.searchParams.get("token");
  if (token && room.visibility === "private") return (await ctx.tokens.verifyFeedToken(room.id, token)) ? { room } : null;
  const actor = req.headers.cookie ? await actorFromHeaders(ctx.auth, headersOf(req)) : null;
  if (room.visibility === "public") return { room, userId: actor?.id };
  if (!actor) return null;
  try {
    return { room: await ctx.rooms.access(actor, slug), userId: actor.id };
  } catch {
    return null;
  }
}

/**
 * What a feed shows of a message: the text, the author's display name and
 * whether they are a guest (so a guest cannot pass for a member). Feeds are read by anyone who may embed them, so user ids and the sender's
 * clientId stay out.
 */
export function publicMessage(m: Message) {
  return { id: m.id, room: m.room, seq: m.seq, body: m.body, author: { name: m.author.name, guest: m.author.guest }, createdAt: m.createdAt };
}

/** A bus event as the log entry it stands for (null for ephemeral events). */
function toEntry(event: BusEvent): LogEntry | null {
  switch (event.type) {
    case "message:new":
      return { type: "message", seq: event.message.seq, message: event.message };
    case "message:updated":
      return { type: "message:updated", seq: event.payload.seq, message: event.payload.message };
    case "message:deleted":
      return { type: "message:deleted", seq: event.payload.seq, room: event.payload.room, id: event.payload.id };
    case "broadcast":
      return { type: "broadcast", seq: event.seq, broadcast: event.broadcast };
    case "broadcast:retracted":
      return { type: "broadcast:retracted", seq: event.seq, id: event.id };
    default:
      return null;
  }
}

function parseCursor(raw: string | null | undefined): number | null | "bad" {
  if (raw === null || raw === undefined || raw === "") return null;
  return /^\d{1,15}$/.test(raw) ? Number(raw) : "bad";
}

export async function handleFeed(ctx: AppContext, req: IncomingMessage, res: ServerResponse, slug: string): Promise<void> {
  const url = new URL(req.url ?? "/", "http://local");
  const cors = corsOrigin(ctx, req.headers.origin);
  if (req.method === "OPTIONS") {
    res.writeHead(204, { ...(cors ? { "access-control-allow-origin": cors, "access-control-allow-headers": "last-event-id" } : {}) });
    return void res.end();
  }
  if (req.method !== "GET") return fail(res, 405, "invalid", "use GET", cors);
  if (req.headers.origin && !cors) return fail(res, 403, "forbidden", "this origin may not embed feeds", null);

  let decoded: string;
  try {
    decoded = decodeSegment(slug).toLowerCase();
  } catch (err) {
    return fail(res, 400, "invalid", (err as Error).message, cors);
  }
  const access = await authorize(ctx, req, decoded, url);
  const room = access?.room;
  if (!access || !room) return fail(res, 404, "not_found", "no such room, or its feed needs a member's session or a feed token", cors);

  const cursor = parseCursor((req.headers["last-event-id"] as string | undefined) ?? url.searchParams.get("lastEventId"));

  res.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    // no-transform: proxies must not compress or rewrite the stream.
    "cache-control": "no-cache, no-transform",
    "x-accel-buffering": "no",
    connection: "keep-alive",
    ...(cors ? { "access-control-allow-origin": cors, vary: "Origin" } : {}),
  });
  req.socket.setNoDelay(true);

  let closed = false;
  let lastSent = 0;
  const held: BusEvent[] = [];
  let replaying = true;

  const close = () => {
    if (closed) return;
    closed = true;
    unsubscribe();
    clearInterval(heartbeat);
    if (!res.writableEnded) res.end();
  };

  const write = (chunk: string): boolean => {
    if (closed) return false;
    res.write(chunk);
    // Slow consumer: the kernel buffer is full and our queue keeps growing.
    if (res.writableLength > MAX_BUFFERED_BYTES) {
      res.destroy();
      close();
      return false;
    }
    return true;
  };

  const send: Send = (event, data, id) =>
    write(`${id !== undefined ? `id: ${id}\n` : ""}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);

  /** Each log event goes out once, in seq order, with its seq as the SSE id. */
  const sendEvent = (event: string, seq: number, data: unknown) => {
    if (seq <= lastSent) return true;
    lastSent = seq;
    return send(event, data, seq);
  };
  const sendMessage = (m: Message) => sendEvent("message", m.seq, publicMessage(m));

  // Live events and replayed log entries are written the same way.
  const replay = (entry: LogEntry): boolean => {
    switch (entry.type) {
      case "message":
        return sendMessage(entry.message);
      case "message:updated":
        return sendEvent("message-updated", entry.seq, { room: room.slug, id: entry.message.id, seq: entry.seq, message: publicMessage(entry.message) });
      case "message:deleted":
        return sendEvent("message-deleted", entry.seq, { room: entry.room, id: entry.id, seq: entry.seq });
      case "broadcast":
        return sendEvent("broadcast", entry.seq, entry.broadcast);
      case "broadcast:retracted":
        return sendEvent("broadcast-retracted", entry.seq, { id: entry.id });
    }
  };

  const deliver = (event: BusEvent) => {
    const entry = toEntry(event);
    if (entry) replay(entry);
  };

  const subscription = ctx.hub.subscribe(room.slug, "sse", (event) => {
    if (logSeq(event) === null) return;
    if (replaying) held.push(event);
    else deliver(event);
  });
  // A signed-in reader's stream closes when they are banned.
  const disown = access.userId ? ctx.hub.own({ userId: access.userId, close: () => (res.destroy(), close()) }) : () => {};
  const unsubscribe = () => {
    subscription();
    disown();
  };
  const heartbeat = setInterval(() => write(`: ping ${Date.now()}\n\n`), HEARTBEAT_MS);
  req.on("close", close);
  res.on("close", close);
  // Gone while we authorized: its close event has already fired.
  if (req.socket.destroyed) close();

  write(`retry: ${RETRY_MS}\n\n`);
  // Active announcements first, without an id: they are state, not a step
  // of the cursor (their own log events are replayed in order below).
  for (const b of await ctx.broadcasts.active(room.id)) send("broadcast", b);

  try {
    let page: LogPage;
    if (cursor === null) {
      page = await ctx.messages.latest(room);
    } else if (cursor === "bad") {
      page = { ...(await ctx.messages.latest(room)), reset: true };
    } else {
      lastSent = cursor;
      page = await ctx.messages.resume(room, cursor, undefined);
    }
    if (page.reset) {
      // The cursor is from another log (say, the database was reset): the
      // client must drop what it shows; the newest page follows.
      lastSent = 0;
      send("reset", { room: room.slug, head: page.head, epoch: page.epoch });
    }
    for (;;) {
      // A newest page has only messages; a resumed page has every log event.
      if (page.events.length) {
        for (const entry of page.events) if (!replay(entry)) return;
      } else {
        for (const m of page.messages) if (!sendMessage(m)) return;
      }
      if (!page.more || closed) break;
      // Page from the last row read (rows of messages deleted since are read, not shown).
      lastSent = Math.max(lastSent, page.next);
      page = await ctx.messages.resume(room, lastSent, undefined);
    }
    replaying = false;
    for (const event of held.splice(0)) deliver(event);
  } catch (err) {
    console.error("[sse] replay failed:", err);
    res.destroy();
    close();
  }
}
