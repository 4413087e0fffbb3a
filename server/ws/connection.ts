/**
 * One /ws connection: JSON text frames in, the same services as the Socket.IO
 * handlers (server/socket/handlers.ts) behind them, room entries out through
 * the subscription core. No business rules and no store here.
 *
 * - Frames of one connection are handled one at a time, in arrival order, so
 *   replies come back in request order and a join never races a leave.
 * - Nothing a client sends can throw out of here: a frame that cannot be read
 *   gets `{ type: "error" }`, a request that fails gets an error reply, and the
 *   connection stays open.
 * - A join's reply carries the log up to the room stream's position, written
 *   in the same step that attaches the connection; live frames follow it:
 *   each entry once, in seq order.
 * - The connection is registered with the credential it opened with: sign-out,
 *   a revoked token or a ban closes it (4001/4003), and removal from a private
 *   room ends that room's subscription with a `revoked` frame.
 */
import { randomUUID } from "node:crypto";
import type { RawData, WebSocket } from "ws";
import type { z } from "zod";
import { WS_REQUEST_TYPES, wsClientFrameSchema, wsEnvelopeSchema, type ErrorParams, type LogEntry, type RevokeReason, type WsId, type WsServerFrame } from "../contract";
import type { AppContext } from "../context";
import type { UserCredential } from "../credentials";
import { toWireError, wireError } from "../errors";
import type { Emission, EphemeralEvent } from "../realtime/streams";
import type { Subscription } from "../realtime/subscription";
import { logger } from "../log";

const log = logger("ws");

/** Frames queued behind a slow one; past this a client is flooding. */
export const MAX_PENDING_FRAMES = 32;
/** A flooding client is told to wait this long: the queue drains in well under it. */
const FLOOD_RETRY_MS = 500;
/**
 * Unsent bytes of live events a client may fall behind before it is dropped;
 * it resumes from its cursor when it reconnects. Checked on pushed events
 * only, so one large join reply (up to REPLAY_PAGE messages) does not count.
 */
export const MAX_BUFFERED_BYTES = 1024 * 1024;

/** Close codes: 4001 the credential ended (sign in again), 4003 the account is banned. */
export const CLOSE_CODES: Record<Exclude<RevokeReason, "removed">, number> = { signed_out: 4001, token_revoked: 4001, banned: 4003 };

type ClientFrame = z.output<typeof wsClientFrameSchema>;
type Of<T extends ClientFrame["type"]> = Extract<ClientFrame, { type: T }>;

function textOf(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString("utf8");
  return (Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data)).toString("utf8");
}

/** A room log entry as the /ws frame clients receive live. */
export function wsFrame(room: string, entry: LogEntry): WsServerFrame {
  switch (entry.type) {
    case "message":
      return { type: "message:new", message: entry.message };
    case "message:updated":
      return { type: "message:updated", room, id: entry.message.id, seq: entry.seq, message: entry.message };
    case "message:deleted":
      return { type: "message:deleted", room, id: entry.id, seq: entry.seq };
    case "message:reactions":
      return { type: "message:reactions", room, id: entry.id, seq: entry.seq, reactions: entry.reactions };
    case "broadcast":
      return { type: "broadcast", room, seq: entry.seq, broadcast: entry.broadcast };
    case "broadcast:retracted":
      return { type: "broadcast:retracted", room, seq: entry.seq, id: entry.id };
  }
}

export function handleConnection(ws: WebSocket, credential: UserCredential, ctx: AppContext): void {
  const { actor } = credential;
  // Prefixed so it can never collide with a Socket.IO id in the presence map.
  const connId = `ws:${randomUUID()}`;
  const user = { id: actor.id, name: actor.name, guest: actor.guest };
  const subs = new Map<string, Subscription>();
  let closed = false;
  let pending = 0;
  let queue = Promise.resolve();

  const send = (frame: WsServerFrame | string) => {
    if (ws.readyState === ws.OPEN) ws.send(typeof frame === "string" ? frame : JSON.stringify(frame));
  };
  const fail = (id: WsId | undefined, message: string, params: ErrorParams = {}) =>
    send({ type: "error", ...(id !== undefined ? { id } : {}), error: wireError("unknown_frame", message, { params }) });
  const replyError = (id: WsId | undefined, err: unknown, where: string) =>
    send({ type: "reply", id, ok: false, error: toWireError(err, where) });

  /** A live frame; a consumer this far behind is cut rather than buffered without end. */
  const push = (frame: WsServerFrame | string) => {
    send(frame);
    if (ws.bufferedAmount > MAX_BUFFERED_BYTES) ws.terminate();
  };

  const drop = (slug: string) => {
    subs.get(slug)?.close();
    subs.delete(slug);
    ctx.presence.leave(slug, actor.id, connId);
  };

  async function join(id: WsId | undefined, { room: slug, after, epoch }: Of<"room:join">) {
    try {
      const room = await ctx.rooms.access(actor, slug);
      const answer = await ctx.joins.prepare(actor, room);
      if (closed) return;
      // A join of a room this connection already follows starts over from the new cursor.
      drop(room.slug);
      const sub = await ctx.subscriptions.open(
        room,
        after === undefined ? null : { after, epoch },
        {
          connId,
          kind: "ws",
          alive: () => !closed,
          page(page) {
            if (!page.more) ctx.presence.join(room.slug, user, connId);
            send({ type: "reply", id, ok: true, ...answer(page) });
          },
          // One frame per entry, shared by every /ws connection in the room.
          entry: (e: Emission) => push(e.once("ws", () => JSON.stringify(wsFrame(room.slug, e.entry)))),
          ephemeral(event: EphemeralEvent) {
            if (event.type === "presence") push({ type: "presence", ...event.payload });
            // Not back to the typist's own connections.
            else if (event.payload.user.id !== actor.id) push({ type: "typing", ...event.payload });
          },
        },
        { pages: "first" },
      );
      if (sub.live) subs.set(room.slug, sub);
    } catch (err) {
      replyError(id, err, "ws room:join");
    }
  }

  async function handle(type: string, id: WsId | undefined, raw: unknown) {
    const parsed = wsClientFrameSchema.safeParse(raw);
    if (!parsed.success) {
      // Typing has no reply, so its error is a plain error frame.
      if (type === "typing") send({ type: "error", ...(id !== undefined ? { id } : {}), error: toWireError(parsed.error, "ws") });
      else replyError(id, parsed.error, `ws ${type}`);
      return;
    }
    const frame = parsed.data;
    try {
      switch (frame.type) {
        case "room:join":
          return await join(id, frame);
        case "room:leave":
          drop(frame.room);
          return send({ type: "reply", id, ok: true });
        case "message:send": {
          const { room, clientId, body, replyTo } = frame;
          return send({ type: "reply", id, ok: true, message: await ctx.messages.send(actor, { room, clientId, body, replyTo }) });
        }
        case "message:edit": {
          const { room, messageId, body } = frame;
          return send({ type: "reply", id, ok: true, message: await ctx.messages.edit(actor, { room, id: messageId, body }) });
        }
        case "message:delete": {
          await ctx.messages.remove(actor, { room: frame.room, id: frame.messageId });
          return send({ type: "reply", id, ok: true });
        }
        case "reaction:toggle": {
          const { reactions } = await ctx.reactions.toggle(actor, { room: frame.room, id: frame.messageId, emoji: frame.emoji });
          return send({ type: "reply", id, ok: true, reactions });
        }
        case "broadcast:ack":
          await ctx.broadcasts.ack(connId, { id: frame.broadcastId });
          return send({ type: "reply", id, ok: true });
        case "typing":
          return ctx.presence.typing(frame.room, user, frame.typing, connId);
        case "room:read":
          return send({ type: "reply", id, ok: true, ...(await ctx.reads.markRead(actor, { room: frame.room, seq: frame.seq })) });
      }
    } catch (err) {
      replyError(id, err, `ws ${type}`);
    }
  }

  ws.on("message", (data: RawData, isBinary: boolean) => {
    if (isBinary) return fail(undefined, "frames are JSON text, not binary");
    let raw: unknown;
    try {
      raw = JSON.parse(textOf(data));
    } catch {
      return fail(undefined, "frame is not JSON");
    }
    const envelope = wsEnvelopeSchema.safeParse(raw);
    if (!envelope.success) return fail(undefined, "a frame is a JSON object with a string `type` and an optional `id`");
    const { type, id } = envelope.data;
    if (!(WS_REQUEST_TYPES as readonly string[]).includes(type)) return fail(id, `unknown frame type "${type}"`, { type });
    if (pending >= MAX_PENDING_FRAMES) {
      if (type !== "typing") {
        send({ type: "reply", id, ok: false, error: wireError("too_many_frames", "too many frames in flight; wait for replies", { params: { max: MAX_PENDING_FRAMES }, retryAfter: FLOOD_RETRY_MS }) });
      }
      return;
    }
    pending += 1;
    queue = queue
      .then(() => ctx.inflight.run(() => handle(type, id, raw)))
      .catch((err) => log.error({ err }, "frame failed"))
      .finally(() => (pending -= 1));
  });

  // `ws` closes the connection itself on protocol errors (an oversized frame
  // gets 1009, bad UTF-8 1007); the listener only keeps the error from
  // becoming an uncaught exception.
  ws.on("error", () => {});

  const unregister = ctx.connections.add({
    id: connId,
    kind: "ws",
    principal: credential.principal,
    rooms: () => subs.keys(),
    close(reason) {
      if (reason === "removed") return;
      ws.close(CLOSE_CODES[reason], reason);
    },
    // 1001 "going away": come back (after the restart, or to another node).
    reconnect: () => ws.close(1001, "server restarting"),
    notify: (event) => push(event),
    leave(room, reason) {
      queue = queue.then(() => {
        drop(room);
        send({ type: "revoked", reason, room });
      });
    },
  });

  ws.on("close", () => {
    closed = true;
    unregister();
    for (const sub of subs.values()) sub.close();
    subs.clear();
    ctx.presence.dropConnection(connId);
  });
}
