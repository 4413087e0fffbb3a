/**
 * Read state: how far each user has read each room (a log seq that never
 * moves backwards), their per-room settings (muted), and the unread and
 * mention counts derived from it. A read or a setting change is persisted,
 * then published as a user-scoped bus event so that every connection of that
 * user, on every node, updates at once (server/fanout.ts → connections.notifyUser).
 *
 * Unread = messages after lastReadSeq, not by the reader, not deleted.
 * Mentions = those of them that mention the reader (server/lib/mentions.ts).
 */
import type { Bus } from "../bus";
import type { PostingState, RoomEntry, RoomRead, RoomSettings, RoomSummary } from "../contract";
import { readSchema, roomSettingsSchema } from "../contract";
import { containsInsensitive } from "../db";
import type { PrismaClient } from "../generated/prisma/client";
import { mentionsOf } from "../lib/mentions";
import type { Actor } from "./actor";
import type { RoomRecord, RoomService } from "./rooms";
import type { DmService } from "./dms";
import type { ModerationService } from "./moderation";
import type { HotStore } from "../store/hot";

export interface ReadService {
  /** Marks the room read up to `seq` (clamped to the log's head); answers the effective position. */
  markRead(actor: Actor, input: unknown): Promise<RoomRead>;
  /** Changes the actor's own settings for a room. */
  setSettings(actor: Actor, slug: string, input: unknown): Promise<RoomSettings>;
  /**
   * The actor's rooms with read state and counts; with `dms`, their direct
   * messages too (the sidebar lists both; the lobby shows DMs apart).
   */
  entries(actor: Actor, opts?: { dms?: boolean }): Promise<RoomEntry[]>;
  /** The actor's position and settings in an authorized room. */
  state(actor: Actor, room: RoomRecord): Promise<{ lastReadSeq: number; muted: boolean }>;
  /** Whether the actor may post in the room now, and if not, why. */
  posting(actor: Actor, room: RoomRecord): Promise<PostingState>;
}

export function createReadService(deps: {
  prisma: PrismaClient;
  /** Prepared reads of the join path on SQLite (server/store/hot.ts). */
  store: Pick<HotStore, "joinReads">;
  bus: Bus;
  rooms: RoomService;
  dms: Pick<DmService, "list">;
  moderation: Pick<ModerationService, "posting">;
}): ReadService {
  const { prisma, store, bus, rooms, dms, moderation } = deps;
  const key = (userId: string, roomId: string) => ({ userId_roomId: { userId, roomId } });

  async function position(userId: string, roomId: string): Promise<number> {
    const row = await prisma.readState.findUnique({ where: key(userId, roomId), select: { lastReadSeq: true } });
    return row?.lastReadSeq ?? 0;
  }

  /** When the user joined Relay: a room they never read counts only what was said since. */
  async function joinedAt(userId: string): Promise<Date> {
    return (await prisma.user.findUnique({ where: { id: userId }, select: { createdAt: true } }))?.createdAt ?? new Date(0);
  }

  /** A never-read room's position: its last message from before the user joined Relay. */
  async function baseline(userId: string, roomId: string): Promise<number> {
    if (store.joinReads) return store.joinReads.baseline(userId, roomId);
    const since = await joinedAt(userId);
    const last = await prisma.message.findFirst({ where: { roomId, createdAt: { lte: since } }, orderBy: { seq: "desc" }, select: { seq: true } });
    return last?.seq ?? 0;
  }

  /** Moves the position forward only: a stale tab's older read can never undo a newer one. */
  async function advance(userId: string, roomId: string, seq: number): Promise<boolean> {
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const { count } = await prisma.readState.updateMany({ where: { userId, roomId, lastReadSeq: { lt: seq } }, data: { lastReadSeq: seq } });
      if (count > 0) return true;
      const exists = await prisma.readState.findUnique({ where: key(userId, roomId), select: { lastReadSeq: true } });
      if (exists) return false;
      try {
        await prisma.readState.create({ data: { userId, roomId, lastReadSeq: seq } });
        return true;
      } catch (err) {
        // Created meanwhile by another tab: go round once more and compare.
        if ((err as { code?: string }).code !== "P2002") throw err;
      }
    }
    return false;
  }

  return {
    async markRead(actor, input) {
      const { room: slug, seq } = readSchema.parse(input);
      const room = await rooms.access(actor, slug);
      const target = Math.min(seq, room.lastSeq);
      const moved = target > 0 && (await advance(actor.id, room.id, target));
      const effective = await position(actor.id, room.id);
      if (moved) bus.publish({ type: "user", room: "", userId: actor.id, event: { type: "room:read", room: room.slug, seq: effective } });
      return { room: room.slug, seq: effective };
    },

    async setSettings(actor, slug, input) {
      const { muted } = roomSettingsSchema.parse(input);
      const room = await rooms.access(actor, slug);
      await prisma.readState.upsert({ where: key(actor.id, room.id), create: { userId: actor.id, roomId: room.id, muted }, update: { muted } });
      bus.publish({ type: "user", room: "", userId: actor.id, event: { type: "room:settings", room: room.slug, muted } });
      return { room: room.slug, muted };
    },

    async entries(actor, opts = {}) {
      const [own, direct] = await Promise.all([rooms.list(actor), opts.dms ? dms.list(actor) : []]);
      const summaries: RoomSummary[] = [...own, ...direct];
      if (summaries.length === 0) return [];
      const records = await prisma.room.findMany({ where: { slug: { in: summaries.map((s) => s.slug) } }, select: { id: true, slug: true, lastSeq: true } });
      const bySlug = new Map(records.map((r) => [r.slug, r]));
      const states = await prisma.readState.findMany({ where: { userId: actor.id, roomId: { in: records.map((r) => r.id) } } });
      const stateOf = new Map(states.map((s) => [s.roomId, s]));
      // One grouped count for all rooms, each from its own position.
      // A room never read counts what was said since the user joined Relay, not all its history.
      const since = await joinedAt(actor.id);
      const unreadWhere = {
        OR: records.map((r) => {
          const state = stateOf.get(r.id);
          return state ? { roomId: r.id, seq: { gt: state.lastReadSeq } } : { roomId: r.id, createdAt: { gt: since } };
        }),
        authorId: { not: actor.id },
        deletedAt: null,
      };
      const contains = (term: string) => containsInsensitive(prisma, term);
      const [unread, mentions] = await Promise.all([
        prisma.message.groupBy({ by: ["roomId"], where: unreadWhere, _count: { _all: true } }),
        prisma.message.groupBy({ by: ["roomId"], where: { ...unreadWhere, ...mentionsOf(actor, contains) }, _count: { _all: true } }),
      ]);
      const unreadOf = new Map(unread.map((u) => [u.roomId, u._count._all]));
      const mentionsOfRoom = new Map(mentions.map((u) => [u.roomId, u._count._all]));
      return summaries.map((s) => {
        const r = bySlug.get(s.slug);
        const state = r ? stateOf.get(r.id) : undefined;
        return {
          ...s,
          kind: s.kind,
          lastReadSeq: state?.lastReadSeq ?? 0,
          lastSeq: r?.lastSeq ?? 0,
          unread: r ? (unreadOf.get(r.id) ?? 0) : 0,
          mentions: r ? (mentionsOfRoom.get(r.id) ?? 0) : 0,
          muted: state?.muted ?? false,
        };
      });
    },

    async state(actor, room) {
      const row = store.joinReads
        ? await store.joinReads.readState(actor.id, room.id)
        : await prisma.readState.findUnique({ where: key(actor.id, room.id), select: { lastReadSeq: true, muted: true } });
      if (row) return { lastReadSeq: row.lastReadSeq, muted: row.muted };
      // Never read: the same rule as the counts above, so the divider sits where the badge said.
      return { lastReadSeq: await baseline(actor.id, room.id), muted: false };
    },

    // The moderation service's rule, the one sends are checked against.
    posting: (actor, room) => moderation.posting(actor, room),
  };
}
