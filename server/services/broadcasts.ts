/**
 * Broadcasts: an admin's announcement to one room or all. Each targeted room's
 * log takes the broadcast at its next seq (so offline clients and feeds get it
 * when they resume); retraction is a log event too.
 *
 * Delivery accounting: each node's room streams report which connections a
 * broadcast went out to live, on every transport (Socket.IO, /ws, SSE,
 * long-poll). A connection in several rooms counts once. The tally is kept in
 * memory and added to the stored count every DELIVERY_FLUSH_MS, so every node
 * adds its own share and the stored figure is the cluster's sum. Clients
 * acknowledge receipt, once per connection.
 */
import { randomUUID } from "node:crypto";
import type { PrismaClient } from "../generated/prisma/client";
import type { Bus } from "../bus";
import { broadcastAckSchema, broadcastSchema, type Broadcast, type BroadcastLevel } from "../contract";
import { AppError } from "../errors";
import type { Actor } from "./actor";
import { recordAudit } from "./audit";
import { appendLog } from "./log";
import type { AdminPolicy } from "./policy";
import { logger } from "../log";
import type { HotStore } from "../store/hot";

const log = logger("broadcasts");

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
  /** A room stream delivered the broadcast to these connections (in memory; flushed to the store). */
  delivered(id: string, connIds: Iterable<string>): void;
  /** Writes the pending delivery counts now (tests, shutdown). */
  flushDeliveries(): Promise<void>;
  close(): Promise<void>;
}

/** How often delivery counts are written: cheap enough to be near live on the admin page. */
export const DELIVERY_FLUSH_MS = 1_000;
/** A connection is counted once per broadcast for this long (an all-rooms broadcast reaches it once per room, at once). */
const DEDUPE_MS = 5 * 60_000;

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

export function createBroadcastService(prisma: PrismaClient, bus: Bus, admin: AdminPolicy, store: Pick<HotStore, "joinReads">): BroadcastService {
  const withRoom = { room: { select: { slug: true } } } as const;
  /** Per broadcast: connections already counted here, and how many are not yet stored. */
  const tally = new Map<string, { seen: Set<string>; pending: number; at: number }>();

  async function flushDeliveries() {
    const now = Date.now();
    for (const [id, t] of tally) {
      const count = t.pending;
      t.pending = 0;
      if (count > 0) {
        await prisma.broadcast.update({ where: { id }, data: { recipients: { increment: count } } }).catch((err) => {
          // A broadcast deleted meanwhile has nothing left to count.
          if ((err as { code?: string }).code !== "P2025") log.error({ err }, "storing deliveries failed");
        });
      }
      if (now - t.at > DEDUPE_MS) tally.delete(id);
    }
  }
  const flusher = setInterval(() => void flushDeliveries(), DELIVERY_FLUSH_MS);
  flusher.unref();

  return {
    async send(actor, input) {
      await admin.require(actor);
      const req = broadcastSchema.parse(input);
      const expiresAt = req.expiresAt ? new Date(req.expiresAt) : null;
      if (expiresAt && expiresAt.getTime() <= Date.now()) throw new AppError("expires_in_past", "expiresAt: must be in the future");
      const target = req.room ? await prisma.room.findUnique({ where: { slug: req.room } }) : null;
      if (req.room && (!target || target.kind === "dm")) throw new AppError("no_room", `no room "${req.room}"`, { params: { room: req.room } });

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
      for (const { slug, seq } of seqs) bus.publish({ type: "log", room: slug, entry: { type: "broadcast", seq, broadcast } });
      return broadcast;
    },

    async retract(actor, id) {
      await admin.require(actor);
      const row = await prisma.broadcast.findUnique({ where: { id } });
      if (!row || row.retractedAt) throw new AppError("no_broadcast", "no such active broadcast");
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
      for (const { slug, seq } of seqs) bus.publish({ type: "log", room: slug, entry: { type: "broadcast:retracted", seq, id } });
    },

    async active(roomId) {
      // Every join reads this: a prepared statement on SQLite (server/store/hot.ts).
      if (store.joinReads) return (await store.joinReads.activeBroadcasts(roomId, new Date())).map(toBroadcast);
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
      await admin.require(actor);
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

    delivered(id, connIds) {
      let t = tally.get(id);
      if (!t) tally.set(id, (t = { seen: new Set(), pending: 0, at: Date.now() }));
      for (const conn of connIds) {
        if (t.seen.has(conn)) continue;
        t.seen.add(conn);
        t.pending += 1;
      }
    },

    flushDeliveries,

    async close() {
      clearInterval(flusher);
      await flushDeliveries();
    },
  };
}
