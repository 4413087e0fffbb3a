/**
 * Broadcasts: an admin's announcement to one room or all. Each targeted room's
 * log takes the broadcast at its next seq (so offline clients and feeds get it
 * when they resume); retraction is a log event too. Delivery accounting:
 * the fan-out reports how many socket and SSE connections it delivered to,
 * and socket clients acknowledge receipt, once per connection.
 */
import { randomUUID } from "node:crypto";
import type { PrismaClient } from "../generated/prisma/client";
import type { Bus } from "../bus";
import { broadcastAckSchema, broadcastSchema, type Broadcast, type BroadcastLevel } from "../contract";
import { AppError } from "../errors";
import type { Actor } from "./actor";
import { recordAudit } from "./audit";
import { appendLog } from "./log";

export interface BroadcastReport extends Broadcast {
  retractedAt: string | null;
  createdBy: string;
  recipients: number;
  acks: number;
  /** Milliseconds from sending to the last acknowledgement, or null before any. */
  lastAckMs: number | null;
}

export interface BroadcastService {
  send(actor: Actor, input: unknown): Promise<Broadcast>;
  retract(actor: Actor, id: string): Promise<void>;
  /** Active (unexpired, unretracted) broadcasts that reach this room. */
  active(roomId: string): Promise<Broadcast[]>;
  list(actor: Actor): Promise<BroadcastReport[]>;
  /** A connection acknowledged receipt; counted once per connection. */
  ack(connId: string, input: unknown): Promise<void>;
  /** The fan-out delivered to this many more connections. */
  addRecipients(id: string, count: number): Promise<void>;
}

type Row = {
  id: string;
  text: string;
  level: string;
  createdAt: Date;
  expiresAt: Date | null;
  room: { slug: string } | null;
};

export function toBroadcast(row: Row): Broadcast {
  return {
    id: row.id,
    text: row.text,
    level: row.level as BroadcastLevel,
    room: row.room?.slug ?? null,
    createdAt: row.createdAt.toISOString(),
    expiresAt: row.expiresAt?.toISOString() ?? null,
  };
}

/**
 * Checks the role as stored now, not as the connection saw it when it opened:
 * a revoked admin loses the power at once, on long-lived sockets too.
 */
export async function requireAdmin(prisma: PrismaClient, actor: Actor): Promise<void> {
  const user = await prisma.user.findUnique({ where: { id: actor.id }, select: { role: true, banned: true } });
  if (user?.role !== "admin" || user.banned) throw new AppError("forbidden", "admins only");
}

export function createBroadcastService(prisma: PrismaClient, bus: Bus): BroadcastService {
  const withRoom = { room: { select: { slug: true } } } as const;

  return {
    async send(actor, input) {
      await requireAdmin(prisma, actor);
      const req = broadcastSchema.parse(input);
      const expiresAt = req.expiresAt ? new Date(req.expiresAt) : null;
      if (expiresAt && expiresAt.getTime() <= Date.now()) throw new AppError("invalid", "expiresAt: must be in the future");
      const target = req.room ? await prisma.room.findUnique({ where: { slug: req.room } }) : null;
      if (req.room && !target) throw new AppError("not_found", `no room "${req.room}"`);

      const { row, seqs } = await prisma.$transaction(async (tx) => {
        const id = randomUUID();
        const row = await tx.broadcast.create({
          data: { id, text: req.text, level: req.level, roomId: target?.id ?? null, createdById: actor.id, expiresAt },
          include: withRoom,
        });
        const rooms = target ? [target] : await tx.room.findMany({ select: { id: true, slug: true } });
        const seqs: { slug: string; seq: number }[] = [];
        for (const room of rooms) {
          seqs.push({ slug: room.slug, seq: await appendLog(tx, room.id, "broadcast", { broadcastId: id }) });
        }
        await recordAudit(tx, {
          actorId: actor.id,
          action: "broadcast.send",
          targetType: "broadcast",
          targetId: id,
          detail: { level: req.level, room: req.room ?? null, text: req.text.slice(0, 200) },
        });
        return { row, seqs };
      });
      const broadcast = toBroadcast(row);
      for (const { slug, seq } of seqs) bus.publish({ type: "broadcast", room: slug, seq, broadcast });
      return broadcast;
    },

    async retract(actor, id) {
      await requireAdmin(prisma, actor);
      const row = await prisma.broadcast.findUnique({ where: { id } });
      if (!row || row.retractedAt) throw new AppError("not_found", "no such active broadcast");
      const seqs = await prisma.$transaction(async (tx) => {
        await tx.broadcast.update({ where: { id }, data: { retractedAt: new Date() } });
        const rooms = row.roomId
          ? await tx.room.findMany({ where: { id: row.roomId }, select: { id: true, slug: true } })
          : await tx.room.findMany({ select: { id: true, slug: true } });
        const seqs: { slug: string; seq: number }[] = [];
        for (const room of rooms) {
          seqs.push({ slug: room.slug, seq: await appendLog(tx, room.id, "broadcast:retracted", { broadcastId: id }) });
        }
        await recordAudit(tx, { actorId: actor.id, action: "broadcast.retract", targetType: "broadcast", targetId: id });
        return seqs;
      });
      for (const { slug, seq } of seqs) bus.publish({ type: "broadcast:retracted", room: slug, seq, id });
    },

    async active(roomId) {
      const rows = await prisma.broadcast.findMany({
        where: {
          retractedAt: null,
          OR: [{ roomId }, { roomId: null }],
          AND: [{ OR: [{ expiresAt: null }, { expiresAt: { gt: new Date() } }] }],
        },
        orderBy: { createdAt: "asc" },
        include: withRoom,
      });
      return rows.map(toBroadcast);
    },

    async list(actor) {
      await requireAdmin(prisma, actor);
      const rows = await prisma.broadcast.findMany({
        orderBy: { createdAt: "desc" },
        take: 100,
        include: { ...withRoom, createdBy: { select: { name: true } } },
      });
      return rows.map((r) => ({
        ...toBroadcast(r),
        retractedAt: r.retractedAt?.toISOString() ?? null,
        createdBy: r.createdBy.name,
        recipients: r.recipients,
        acks: r.acks,
        lastAckMs: r.lastAckAt ? r.lastAckAt.getTime() - r.createdAt.getTime() : null,
      }));
    },

    async ack(connId, input) {
      const { id } = broadcastAckSchema.parse(input);
      try {
        await prisma.$transaction(async (tx) => {
          await tx.broadcastAck.create({ data: { broadcastId: id, connId } });
          await tx.broadcast.update({ where: { id }, data: { acks: { increment: 1 }, lastAckAt: new Date() } });
        });
      } catch (err) {
        const code = (err as { code?: string }).code;
        // A repeated ack (P2002) or an unknown broadcast (P2003/P2025) counts for nothing.
        if (code === "P2002" || code === "P2003" || code === "P2025") return;
        throw err;
      }
    },

    async addRecipients(id, count) {
      if (count > 0) await prisma.broadcast.update({ where: { id }, data: { recipients: { increment: count } } }).catch(() => {});
    },
  };
}
