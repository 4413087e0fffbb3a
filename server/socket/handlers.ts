/**
 * Socket.IO edge: parse with zod, authorize through the services, answer with
 * an ack. No business rules and no Prisma here; nothing is emitted directly
 * (the fan-out delivers what services publish).
 */
import type { Socket } from "socket.io";
import type { ZodType } from "zod";
import type { Ack, ClientToServerEvents, ServerToClientEvents, SocketData } from "../contract";
import { broadcastAckSchema, joinSchema, leaveSchema, typingSchema } from "../contract";
import type { AppContext } from "../context";
import { AppError, toWireError } from "../errors";

export type ChatSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

export const roomChannel = (slug: string) => `room:${slug}`;
export const userChannel = (id: string) => `user:${id}`;

/**
 * Wraps a handler: validates the payload, runs it, and always answers the ack
 * (when the client gave one) with a success or an error code. A client's
 * payload can never throw out of here.
 */
function acked<I, R extends object>(event: string, schema: ZodType<I> | null, fn: (input: I) => Promise<R>) {
  return async (raw: unknown, ack?: unknown) => {
    const reply = typeof ack === "function" ? (ack as (a: Ack<R>) => void) : () => {};
    try {
      const input = schema ? schema.parse(raw) : (raw as I);
      reply({ ok: true, ...(await fn(input)) });
    } catch (err) {
      reply({ ok: false, error: toWireError(err, event) });
    }
  };
}

export function registerChatHandlers(socket: ChatSocket, ctx: AppContext): void {
  const actor = socket.data.user;
  const user = { id: actor.id, name: actor.name, guest: actor.guest };

  socket.on(
    "room:join",
    acked("room:join", joinSchema, async ({ room: slug, after, epoch }) => {
      const room = await ctx.rooms.access(actor, slug);
      // Gone while we looked the room up: joining now would leave a ghost in presence.
      if (socket.disconnected) throw new AppError("unavailable", "disconnected");
      // Subscribe before reading the log: anything committed after the read
      // arrives live, and the client drops what it already has by id.
      await socket.join(roomChannel(room.slug));
      ctx.presence.join(room.slug, user, socket.id);
      const log = after === undefined ? await ctx.messages.latest(room) : await ctx.messages.resume(room, after, epoch);
      return {
        ...log,
        room: await ctx.rooms.summarize(room),
        online: ctx.presence.online(room.slug),
        broadcasts: await ctx.broadcasts.active(room.id),
      };
    }),
  );

  socket.on(
    "room:leave",
    acked("room:leave", leaveSchema, async ({ room }) => {
      await socket.leave(roomChannel(room));
      ctx.presence.leave(room, actor.id, socket.id);
      return {};
    }),
  );

  socket.on(
    "message:send",
    acked("message:send", null, async (input: unknown) => ({ message: await ctx.messages.send(actor, input) })),
  );

  socket.on(
    "message:edit",
    acked("message:edit", null, async (input: unknown) => ({ message: await ctx.messages.edit(actor, input) })),
  );

  socket.on(
    "message:delete",
    acked("message:delete", null, async (input: unknown) => {
      await ctx.messages.remove(actor, input);
      return {};
    }),
  );

  socket.on(
    "admin:broadcast",
    acked("admin:broadcast", null, async (input: unknown) => ({ broadcast: await ctx.broadcasts.send(actor, input) })),
  );

  socket.on("broadcast:ack", (raw: unknown) => {
    if (!broadcastAckSchema.safeParse(raw).success) return;
    ctx.broadcasts.ack(socket.id, raw).catch((err) => console.error("[socket] broadcast:ack failed:", err));
  });

  socket.on("typing", (raw: unknown) => {
    const parsed = typingSchema.safeParse(raw);
    if (parsed.success) ctx.presence.typing(parsed.data.room, user, parsed.data.typing, socket.id);
  });

  socket.on("disconnect", () => ctx.presence.dropConnection(socket.id));
}
