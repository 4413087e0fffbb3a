/**
 * The SSE feed, GET /api/rooms/:slug/feed: a thin adapter over the room
 * subscription core. It checks the method and origin, resolves the credential,
 * asks the rooms service for access, sets the no-buffering headers, and frames
 * entries; ordering, replay and the hand-over to live are the core's.
 *
 * - Access: public rooms need no login; private rooms need a member's session
 *   or a feed token (?token=). Read-only either way. When the credential is
 *   withdrawn (sign-out, revoked token, ban, removal) the stream ends with
 *   `event: revoked`.
 * - The stream announces its log's epoch first (`event: epoch`). A cursor
 *   (Last-Event-ID or ?lastEventId=, with ?epoch=) from another log, ahead of
 *   it, or not a number gets `event: reset` and the newest page.
 * - Without a cursor it starts with the newest page, so an embed has
 *   something to show at once.
 * - A slow consumer is dropped once its unsent bytes pass a bound, and a
 *   closed connection releases its subscription and timer.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ErrorReason, LogEntry, Message, Reaction, RevokeReason } from "../contract";
import { errorBody, type ErrorDetail } from "../errors";
import type { AppContext } from "../context";
import type { RoomRecord } from "../services/rooms";
import type { Cursor, Subscription } from "../realtime/subscription";
import { logger } from "../log";

const log = logger("sse");

/** Heartbeat comment period: proxies drop idle streams after 30-60 s. */
export const HEARTBEAT_MS = 15_000;
/** Reconnect delay suggested to EventSource (its `retry:` field). */
export const RETRY_MS = 3_000;
/** Seconds a refused stream is told to wait: EventSource retries on its own (after `retry:`), a script should wait this. */
const CAP_RETRY_S = 5;
/** Unsent bytes a client may fall behind before it is dropped. */
export const MAX_BUFFERED_BYTES = 256 * 1024;

export const FEED_PATH = /^\/api\/rooms\/([^/]+)\/feed\/?$/;

function headersOf(req: IncomingMessage): Headers {
  const h = new Headers();
  if (req.headers.cookie) h.set("cookie", req.headers.cookie);
  if (typeof req.headers.authorization === "string") h.set("authorization", req.headers.authorization);
  return h;
}

function corsOrigin(ctx: AppContext, origin: string | undefined): string | null {
  const allowed = ctx.env.FEED_ALLOWED_ORIGINS;
  if (allowed.length === 0 || allowed.includes("*")) return "*";
  return origin && allowed.includes(origin) ? origin : null;
}

function fail(res: ServerResponse, status: number, reason: ErrorReason, message: string, cors: string | null, extra: Record<string, string> = {}, detail: ErrorDetail = {}) {
  res.writeHead(status, {
    ...extra,
    "content-type": "application/json",
    "cache-control": "no-store",
    ...(cors ? { "access-control-allow-origin": cors, vary: "Origin" } : {}),
  });
  res.end(errorBody(reason, message, detail));
}

/**
 * What a feed shows of a message: the text, the author's display name and
 * whether they are a guest (so a guest cannot pass for a member). Feeds are
 * read by anyone who may embed them, so user ids and the sender's
 * clientId stay out.
 */
export function publicMessage(m: Message) {
  return {
    id: m.id,
    room: m.room,
    seq: m.seq,
    body: m.body,
    author: { name: m.author.name, guest: m.author.guest },
    createdAt: m.createdAt,
    ...(m.replyTo ? { replyTo: { id: m.replyTo.id, seq: m.replyTo.seq, author: { name: m.replyTo.author.name }, excerpt: m.replyTo.excerpt, ...(m.replyTo.deleted ? { deleted: true } : {}) } } : {}),
    reactions: publicReactions(m.reactions),
  };
}

/** Reactions as a feed shows them: the emoji and how many, not who. */
export const publicReactions = (reactions: Reaction[]) => reactions.map((r) => ({ emoji: r.emoji, count: r.count }));

const event = (name: string, data: unknown, id?: number) =>
  `${id !== undefined ? `id: ${id}\n` : ""}event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;

/** One log entry as an SSE event; its seq is the event id (the cursor EventSource sends back). */
export function sseFrame(entry: LogEntry): string {
  switch (entry.type) {
    case "message":
      return event("message", publicMessage(entry.message), entry.seq);
    case "message:updated":
      return event("message-updated", { room: entry.message.room, id: entry.message.id, seq: entry.seq, message: publicMessage(entry.message) }, entry.seq);
    case "message:deleted":
      return event("message-deleted", { room: entry.room, id: entry.id, seq: entry.seq }, entry.seq);
    case "message:reactions":
      return event("message-reactions", { room: entry.room, id: entry.id, seq: entry.seq, reactions: publicReactions(entry.reactions) }, entry.seq);
    case "broadcast":
      return event("broadcast", entry.broadcast, entry.seq);
    case "broadcast:retracted":
      return event("broadcast-retracted", { id: entry.id, seq: entry.seq }, entry.seq);
  }
}

/** Last-Event-ID / ?lastEventId= with ?epoch=: a cursor, none, or one that cannot be honoured. */
function cursorOf(req: IncomingMessage, url: URL): Cursor | null {
  const raw = (req.headers["last-event-id"] as string | undefined) ?? url.searchParams.get("lastEventId");
  if (raw === null || raw === undefined || raw === "") return null;
  const epoch = url.searchParams.get("epoch") || undefined;
  // Not a seq: answered like a cursor ahead of the log, with a reset.
  if (!/^\d{1,15}$/.test(raw)) return { after: Number.MAX_SAFE_INTEGER, epoch };
  return { after: Number(raw), epoch };
}

export async function handleFeed(ctx: AppContext, req: IncomingMessage, res: ServerResponse, slug: string): Promise<void> {
  const url = new URL(req.url ?? "/", "http://local");
  const cors = corsOrigin(ctx, req.headers.origin);
  if (req.method === "OPTIONS") {
    res.writeHead(204, { ...(cors ? { "access-control-allow-origin": cors, "access-control-allow-headers": "last-event-id" } : {}) });
    return void res.end();
  }
  if (req.method !== "GET") return fail(res, 405, "method_not_allowed", "use GET", cors, {}, { params: { method: req.method ?? "" } });
  if (req.headers.origin && !cors) return fail(res, 403, "cross_origin", "this origin may not embed feeds", null);

  const notFound = () => fail(res, 404, "no_feed", "no such room, or its feed needs a member's session or a feed token", cors);
  const resolved = await ctx.credentials.resolve({ headers: headersOf(req), query: url.searchParams }, { feedToken: true });
  // A wrong token looks like a room that is not there: feeds do not reveal private rooms.
  if (!resolved.ok) return notFound();
  const credential = resolved.credential;
  let room: RoomRecord;
  try {
    room = await ctx.rooms.feedAccess(credential, slug.normalize("NFC").toLowerCase());
  } catch {
    return notFound();
  }
  const cursor = cursorOf(req, url);

  // A stream holds a descriptor and memory while it is open: capped per address and in all.
  const slot = ctx.feedCaps.acquire(ctx.proxy.clientAddress(req));
  if (!slot.ok) {
    const retry = { "retry-after": String(CAP_RETRY_S) };
    if (slot.scope === "key") return fail(res, 429, "too_many_feeds", "too many open feeds from this address", cors, retry, { retryAfter: CAP_RETRY_S * 1000 });
    return fail(res, 503, "server_full", "this server holds as many feeds as it can; try again shortly", cors, retry, { retryAfter: CAP_RETRY_S * 1000 });
  }

  res.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    // no-transform: proxies must not compress or rewrite the stream.
    "cache-control": "no-cache, no-transform",
    "x-accel-buffering": "no",
    connection: "keep-alive",
    ...(cors ? { "access-control-allow-origin": cors, vary: "Origin" } : {}),
  });
  req.socket.setNoDelay(true);

  const connId = `sse:${randomUUID()}`;
  let closed = false;
  let sub: Subscription | undefined;

  const close = () => {
    if (closed) return;
    closed = true;
    slot.release();
    sub?.close();
    unregister();
    clearInterval(heartbeat);
    if (!res.writableEnded) res.end();
  };

  const write = (chunk: string | Buffer): void => {
    if (closed) return;
    res.write(chunk);
    // Slow consumer: the kernel buffer is full and our queue keeps growing.
    if (res.writableLength > MAX_BUFFERED_BYTES) {
      res.destroy();
      close();
    }
  };

  const unregister = ctx.connections.add({
    id: connId,
    kind: "sse",
    principal: credential?.principal ?? {},
    rooms: () => [room.slug],
    close(reason: RevokeReason) {
      // EventSource reconnects after an end; the new request is then refused.
      write(event("revoked", { reason }));
      close();
    },
    // A plain end: EventSource reconnects after `retry:` with Last-Event-ID.
    reconnect: close,
  });
  const heartbeat = setInterval(() => write(`: ping ${Date.now()}\n\n`), HEARTBEAT_MS);
  req.on("close", close);
  res.on("close", close);
  // Gone while we authorized: its close event has already fired.
  if (req.socket.destroyed) close();

  write(`retry: ${RETRY_MS}\n\n`);
  write(event("epoch", { room: room.slug, epoch: room.epoch }));
  try {
    // Active announcements first, without an id: they are state, not a step
    // of the cursor (their own log events are replayed in order below).
    for (const b of await ctx.broadcasts.active(room.id)) write(event("broadcast", b));
    sub = await ctx.subscriptions.open(
      room,
      cursor,
      {
        connId,
        kind: "sse",
        alive: () => !closed,
        page(page) {
          // The cursor is from another log (say, the database was reset): the
          // client must drop what it shows; the newest page follows.
          if (page.reset) write(event("reset", { room: room.slug, head: page.head, epoch: page.epoch }));
          // A newest page has only messages; a resumed page has every log event.
          if (page.events.length) for (const entry of page.events) write(sseFrame(entry));
          else for (const m of page.messages) write(sseFrame({ type: "message", seq: m.seq, message: m }));
        },
        // One frame per entry, shared by every stream of the room.
        entry: (e) => write(e.once("sse", () => Buffer.from(sseFrame(e.entry)))),
      },
      { pages: "all" },
    );
    if (closed) sub.close();
  } catch (err) {
    log.error({ err, room: room.slug }, "replay failed");
    res.destroy();
    close();
  }
}
