/**
 * One /ws connection: JSON text frames in, the same services as the Socket.IO
 * handlers (server/socket/handlers.ts) behind them, hub events out. No
 * business rules and no Prisma here; nothing is published from here except
 * through the services.
 *
 * - Frames of one connection are handled one at a time, in arrival order, so
 *   replies come back in request order and a join never races a leave.
 * - Nothing a client sends can throw out of here: a frame that cannot be read
 *   gets `{ type: "error" }`, a request that fails gets an error reply, and the
 *   connection stays open.
 * - Joining subscribes to the room's hub events before reading the log; events
 *   that arrive meanwhile are held until the reply is out, and messages the
 *   reply already carried (seq <= its last) are dropped: no gap, no duplicate.
 */
import { randomUUID } from "node:crypto";
import type { RawData, WebSocket } from "ws";
import type { z } from "zod";
import type { BusEvent } from "../bus";
import { WS_REQUEST_TYPES, wsClientFrameSchema, wsEnvelopeSchema, type WsId, type WsServerFrame } from "../contract";
import type { AppContext } from "../context";
import { toWireError } from "../errors";
import type { Actor } from "../services/actor";

/** Frames queued behind a slow one; past this a client is flooding. */
export const MAX_PENDING_FRAMES = 32;
/**
 * Unsent bytes of live events a client may fall behind before it is dropped;
 * it resumes from its cursor when it reconnects. Checked on pushed events
 * only, so one large join reply (up to REPLAY_PAGE messages) does not count.
 */
export const MAX_BUFFERED_BYTES = 1024 * 1024;

type ClientFrame = z.output<typeof wsClientFrameSchema>;
type Of<T extends ClientFrame["type"]> = Extract<ClientFrame, { type: T }>;

interface Subscription {
  unsubscribe(): void;
  /** Messages up to this seq went out in the last join reply. */
  floor: number;
  /** False while the client is still paging (its last reply had `more: true`): the next page carries the messages. */
  live: boolean;
  /** Events that arrived while a join reply was being prepared. */
  held: BusEvent[] | null;
}

function textOf(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString("utf8");
  return (Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data)).toString("utf8");
}

export function handleConnection(ws: WebSocket, actor: Actor, ctx: AppContext): void {
  // Prefixed so it can never collide with a Socket.IO id in the presence map.
  const connId = `ws:${randomUUID()}`;
  const user = { id: actor.id, name: actor.name, guest: actor.guest };
  const subs = new Map<string, Subscription>();
  let closed = false;
  let pending = 0;
  let queue = Promise.resolve();

  const send = (frame: WsServerFrame) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
  };
  const fail = (id: WsId | undefined, message: string) =>
    send({ type: "error", ...(id !== undefined ? { id } : {}), error: { code: "invalid", message } });
  const replyError = (id: WsId | undefined, err: unknown, where: string) =>
    send({ type: "reply", id, ok: false, error: toWireError(err, where) });

  /** A live event; a consumer this far behind is cut rather than buffered without end. */
  const push = (frame: WsServerFrame) => {
    send(frame);
    if (ws.bufferedAmount > MAX_BUFFERED_BYTES) ws.terminate();
  };

  function deliver(sub: Subscription, event: BusEvent) {
    switch (event.type) {
      case "message:new":
        if (sub.live && event.message.seq > sub.floor) push({ type: "message:new", message: event.message });
        break;
      case "message:updated":
      case "message:deleted":
        if (sub.live && event.payload.seq > sub.floor) push({ type: event.type, ...event.payload } as WsServerFrame);
        break;
      case "broadcast":
        if (sub.live && event.seq > sub.floor) push({ type: "broadcast", broadcast: event.broadcast });
        break;
      case "broadcast:retracted":
        if (sub.live && event.seq > sub.floor) push({ type: "broadcast:retracted", id: event.id });
        break;
      case "presence":
        push({ type: "presence", ...event.payload });
        break;
      case "typing":
        // Not back to the typist's own connections.
        if (event.payload.user.id !== actor.id) push({ type: "typing", ...event.payload });
        break;
    }
  }

  function release(sub: Subscription) {
    const held = sub.held ?? [];
    sub.held = null;
    for (const event of held) deliver(sub, event);
  }

  async function join(id: WsId | undefined, { room: slug, after, epoch }: Of<"room:join">) {
    let sub: Subscription | undefined;
    let fresh: string | undefined;
    try {
      const room = await ctx.rooms.access(actor, slug);
      if (closed) return;
      sub = subs.get(room.slug);
      if (sub) {
        sub.held = [];
      } else {
        const s: Subscription = { unsubscribe: () => {}, floor: 0, live: true, held: [] };
        s.unsubscribe = ctx.hub.subscribe(room.slug, "ws", (event) => (s.held ? s.held.push(event) : deliver(s, event)));
        subs.set(room.slug, (sub = s));
        fresh = room.slug;
      }
      ctx.presence.join(room.slug, user, connId);
      const log = after === undefined ? await ctx.messages.latest(room) : await ctx.messages.resume(room, after, epoch);
      const summary = await ctx.rooms.summarize(room);
      const lastInReply = Math.max(log.messages.at(-1)?.seq ?? 0, log.events.at(-1)?.seq ?? 0);
      sub.floor = Math.max(lastInReply, log.next) || (log.reset || after === undefined ? 0 : after);
      sub.live = !log.more;
      const broadcasts = await ctx.broadcasts.active(room.id);
      send({ type: "reply", id, ok: true, ...log, room: summary, online: ctx.presence.online(room.slug), broadcasts });
    } catch (err) {
      if (fresh && sub) {
        sub.unsubscribe();
        subs.delete(fresh);
        ctx.presence.leave(fresh, actor.id, connId);
      }
      replyError(id, err, "ws room:join");
    } finally {
      if (sub) release(sub);
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
        case "room:leave": {
          subs.get(frame.room)?.unsubscribe();
          subs.delete(frame.room);
          ctx.presence.leave(frame.room, actor.id, connId);
          return send({ type: "reply", id, ok: true });
        }
        case "message:send": {
          const { room, clientId, body } = frame;
          return send({ type: "reply", id, ok: true, message: await ctx.messages.send(actor, { room, clientId, body }) });
        }
        case "message:edit": {
          const { room, messageId, body } = frame;
          return send({ type: "reply", id, ok: true, message: await ctx.messages.edit(actor, { room, id: messageId, body }) });
        }
        case "message:delete": {
          await ctx.messages.remove(actor, { room: frame.room, id: frame.messageId });
          return send({ type: "reply", id, ok: true });
        }
        case "typing":
          return ctx.presence.typing(frame.room, user, frame.typing, connId);
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
    if (!(WS_REQUEST_TYPES as readonly string[]).includes(type)) return fail(id, `unknown frame type "${type}"`);
    if (pending >= MAX_PENDING_FRAMES) {
      if (type !== "typing") {
        send({ type: "reply", id, ok: false, error: { code: "rate_limited", message: "too many frames in flight; wait for replies" } });
      }
      return;
    }
    pending += 1;
    queue = queue
      .then(() => handle(type, id, raw))
      .catch((err) => console.error("[ws] frame failed:", err))
      .finally(() => (pending -= 1));
  });

  // `ws` closes the connection itself on protocol errors (an oversized frame
  // gets 1009, bad UTF-8 1007); the listener only keeps the error from
  // becoming an uncaught exception.
  ws.on("error", () => {});

  // A ban closes this connection even if it never joined a room.
  const disown = ctx.hub.own({ userId: actor.id, close: () => ws.close(4003, "banned") });

  ws.on("close", () => {
    closed = true;
    disown();
    for (const sub of subs.values()) sub.unsubscribe();
    subs.clear();
    ctx.presence.dropConnection(connId);
  });
}
