/**
 * Socket.IO edge: parse with zod, authorize through the services, answer with
 * an ack. No business rules and no store here; nothing is emitted directly
 * except the join answer (the room streams deliver what services publish).
 *
 * A room's live events reach the socket through the room's channel, which it
 * enters only through the subscription core, in the same synchronous step
 * that writes the join answer: everything up to that point is in the answer,
 * everything after comes live, each once and in order.
 */
import type { Socket } from "socket.io";
import type { ZodType } from "zod";
import type { Ack, ClientToServerEvents, JoinResult, ServerToClientEvents } from "../contract";
import { broadcastAckSchema, joinSchema, leaveSchema, typingSchema } from "../contract";
import { activityChannel } from "../realtime/channels";
import type { AppContext } from "../context";
import { toWireError } from "../errors";
import { roomChannel } from "../realtime/channels";
import type { Subscription } from "../realtime/subscription";
import type { SocketData } from ".";
import { logger } from "../log";

const log = logger("socket");

export type ChatSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

type Reply<R extends object> = (a: Ack<R>) => void;
const replyOf = <R extends object>(ack: unknown): Reply<R> => (typeof ack === "function" ? (ack as Reply<R>) : () => {});

/**
 * Wraps a handler: validates the payload, runs it, and always answers the ack
 * (when the client gave one) with a success or an error code. A client's
 * payload can never throw out of here.
 */
function acked<I, R extends object>(ctx: AppContext, event: string, schema: ZodType<I> | null, fn: (input: I) => Promise<R>) {
  return (raw: unknown, ack?: unknown) =>
    // In flight until the ack is written: a shutdown waits for it.
    ctx.inflight.run(async () => {
      const reply = replyOf<R>(ack);
      try {
        const input = schema ? schema.parse(raw) : (raw as I);
        reply({ ok: true, ...(await fn(input)) });
      } catch (err) {
        reply({ ok: false, error: toWireError(err, event) });
      }
    });
}

export function registerChatHandlers(socket: ChatSocket, ctx: AppContext): void {
  const actor = socket.data.user;
  const user = { id: actor.id, name: actor.name, guest: actor.guest };
  /** This socket's live subscriptions, by room slug. */
  const subs = new Map<string, Subscription>();
  /** Rooms whose activity this socket watches (`rooms:watch`), by slug. */
  const watched = new Set<string>();
  // Joins and leaves of one socket run one at a time, so a retried join cannot race the first.
  let queue = Promise.resolve();
  const serial = (task: () => Promise<void>) => {
    queue = queue.then(task, task);
    return queue;
  };

  const drop = (slug: string) => {
    subs.get(slug)?.close();
    subs.delete(slug);
    ctx.presence.leave(slug, actor.id, socket.id);
  };

  const unregister = ctx.connections.add({
    id: socket.id,
    kind: "socketio",
    principal: socket.data.principal,
    // Watched rooms count too: removal from a private room ends its activity as well.
    rooms: () => new Set([...subs.keys(), ...watched]),
    close(reason) {
      socket.emit("revoked", { reason });
      socket.disconnect(true);
    },
    // Closing the transport (not a Socket.IO disconnect, which clients take
    // as final): the client sees "transport close" and reconnects by itself.
    reconnect: () => socket.conn.close(),
    leave(room, reason) {
      void serial(async () => {
        watched.delete(room);
        void socket.leave(activityChannel(room));
        if (!subs.has(room)) return;
        drop(room);
        socket.emit("revoked", { reason, room });
      });
    },
    notify(event) {
      if (event.type === "room:read") socket.emit("room:read", { room: event.room, seq: event.seq });
      else if (event.type === "room:settings") socket.emit("room:settings", { room: event.room, muted: event.muted });
      else socket.emit("rooms:changed", { room: event.room });
    },
  });

  socket.on("room:join", (raw: unknown, ack?: unknown) =>
    serial(async () => {
      const reply = replyOf<JoinResult>(ack);
      try {
        const { room: slug, after, epoch } = joinSchema.parse(raw);
        const room = await ctx.rooms.access(actor, slug);
        const answer = await ctx.joins.prepare(actor, room);
        // A join of a room this socket already follows starts over from the new cursor.
        subs.get(room.slug)?.close();
        subs.delete(room.slug);
        const sub = await ctx.subscriptions.open(
          room,
          after === undefined ? null : { after, epoch },
          {
            connId: socket.id,
            kind: "socketio",
            alive: () => socket.connected,
            page(page) {
              if (!page.more) ctx.presence.join(room.slug, user, socket.id);
              reply({ ok: true, ...answer(page) });
            },
            join() {
              void socket.join(roomChannel(room.slug));
              return () => void socket.leave(roomChannel(room.slug));
            },
          },
          { pages: "first" },
        );
        if (sub.live) subs.set(room.slug, sub);
        // Gone while we read the log: leave no ghost in presence.
        else if (!socket.connected) ctx.presence.leave(room.slug, actor.id, socket.id);
      } catch (err) {
        if (!socket.connected) return;
        reply({ ok: false, error: toWireError(err, "room:join") });
      }
    }),
  );

  socket.on("room:leave", (raw: unknown, ack?: unknown) =>
    serial(async () => {
      const reply = replyOf<object>(ack);
      const parsed = leaveSchema.safeParse(raw);
      if (!parsed.success) return reply({ ok: false, error: toWireError(parsed.error, "room:leave") });
      drop(parsed.data.room);
      reply({ ok: true });
    }),
  );

  socket.on(
    "message:send",
    acked(ctx, "message:send", null, async (input: unknown) => ({ message: await ctx.messages.send(actor, input) })),
  );

  socket.on(
    "message:edit",
    acked(ctx, "message:edit", null, async (input: unknown) => ({ message: await ctx.messages.edit(actor, input) })),
  );

  socket.on(
    "message:delete",
    acked(ctx, "message:delete", null, async (input: unknown) => {
      await ctx.messages.remove(actor, input);
      return {};
    }),
  );

  socket.on(
    "room:read",
    acked(ctx, "room:read", null, async (input: unknown) => ctx.reads.markRead(actor, input)),
  );

  // Every room the user can read, with counts; the socket then gets each new
  // message's activity. A second watch replaces the first (rooms come and go).
  socket.on(
    "rooms:watch",
    acked(ctx, "rooms:watch", null, async () => {
      const rooms = await ctx.reads.entries(actor, { dms: true });
      const now = new Set(rooms.map((r) => r.slug));
      for (const slug of watched) if (!now.has(slug)) void socket.leave(activityChannel(slug));
      watched.clear();
      for (const slug of now) watched.add(slug);
      if (socket.connected) void socket.join([...now].map(activityChannel));
      return { rooms, serverTime: new Date().toISOString() };
    }),
  );

  socket.on(
    "reaction:toggle",
    acked(ctx, "reaction:toggle", null, async (input: unknown) => ({ reactions: (await ctx.reactions.toggle(actor, input)).reactions })),
  );

  socket.on(
    "admin:broadcast",
    acked(ctx, "admin:broadcast", null, async (input: unknown) => ({ broadcast: await ctx.broadcasts.send(actor, input) })),
  );

  // No database, no bus: the round trip measured is the connection's own.
  socket.on("diagnostics:ping", (_raw: unknown, ack?: unknown) => replyOf<{ now: number }>(ack)({ ok: true, now: Date.now() }));

  socket.on("broadcast:ack", (raw: unknown) => {
    if (!broadcastAckSchema.safeParse(raw).success) return;
    ctx.broadcasts.ack(socket.id, raw).catch((err) => log.error({ err }, "broadcast:ack failed"));
  });

  socket.on("typing", (raw: unknown) => {
    const parsed = typingSchema.safeParse(raw);
    if (parsed.success) ctx.presence.typing(parsed.data.room, user, parsed.data.typing, socket.id);
  });

  socket.on("disconnect", () => {
    unregister();
    for (const sub of subs.values()) sub.close();
    subs.clear();
    ctx.presence.dropConnection(socket.id);
  });
}
