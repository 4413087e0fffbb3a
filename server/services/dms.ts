/**
 * Direct messages, the block list and message reports.
 *
 * A DM is a private room (kind "dm") whose members are exactly two users. Its
 * `dmKey` is the pair's ids, ordered and joined, and is unique: two people
 * opening the same DM at once get one room. Its members are fixed (no
 * invitations, no removals), so nobody else can ever read it, admins
 * included: every read path (socket join, /ws, HTTP history and long-poll,
 * SSE, search) authorizes through rooms.access/feedAccess, which admit only
 * members to a private room, and feed tokens and embeds refuse DMs.
 *
 * Moderation of DMs goes only through reports: a member reports a message,
 * and the report (with a copy of the text) lands in the audit log /admin shows.
 */
import { createHash, randomUUID } from "node:crypto";
import { z } from "zod";
import type { Bus } from "../bus";
import type { PrismaClient } from "../generated/prisma/client";
import type { RoomSummary } from "../contract";
import { MAX_BODY } from "../contract";
import { AppError } from "../errors";
import type { Limiter } from "../lib/limits";
import type { Actor } from "./actor";
import { recordAudit } from "./audit";
import type { PresenceService } from "./presence";
import type { RoomService } from "./rooms";

/** The DM key of a pair: both ids, ordered, so (a, b) and (b, a) are one DM. */
export const dmKeyOf = (a: string, b: string) => (a < b ? `${a}:${b}` : `${b}:${a}`);
/** The other member of a DM, from its key. */
export const peerOf = (dmKey: string, me: string) => {
  const [a, b] = dmKey.split(":") as [string, string];
  return a === me ? b : a;
};
/** A DM's address: derived from the pair, so a race for one pair also meets on the unique slug. */
const dmSlugOf = (key: string) => `dm-${createHash("sha256").update(key).digest("hex").slice(0, 20)}`;

export const userRefSchema = z.union([
  z.object({ username: z.string().trim().min(1).max(64) }).strict(),
  z.object({ userId: z.string().trim().min(1).max(64) }).strict(),
]);
export const reportSchema = z.object({ reason: z.string().trim().max(500).optional() });

export interface BlockedUser {
  id: string;
  name: string;
  username: string | null;
}

export interface DmService {
  /** The DM with another user, created on first use. */
  open(actor: Actor, input: unknown): Promise<RoomSummary>;
  /** The actor's DMs, most recently active first, each titled with the other person's name. */
  list(actor: Actor): Promise<RoomSummary[]>;
  blocks(actor: Actor): Promise<BlockedUser[]>;
  block(actor: Actor, input: unknown): Promise<BlockedUser>;
  unblock(actor: Actor, userId: string): Promise<void>;
  /** Records a report of a message (with a copy of its text) in the audit log. */
  report(actor: Actor, slug: string, id: string, input: unknown): Promise<{ id: string; createdAt: string }>;
}

export function createDmService(deps: {
  prisma: PrismaClient;
  bus: Bus;
  rooms: RoomService;
  presence: PresenceService;
  /** Reports per user: a report copies text into the audit log. */
  limiter: Limiter;
}): DmService {
  const { prisma, rooms, presence, limiter, bus } = deps;

  async function resolve(input: unknown) {
    const ref = userRefSchema.parse(input);
    const user =
      "userId" in ref
        ? await prisma.user.findUnique({ where: { id: ref.userId }, select: { id: true, name: true, username: true } })
        : // Usernames are stored lower-cased by better-auth's username plugin.
          await prisma.user.findUnique({ where: { username: ref.username.toLowerCase() }, select: { id: true, name: true, username: true } });
    if (!user) throw new AppError("not_found", "no such user");
    return user;
  }

  /**
   * Whether two users share a room: a private room (not a DM) both belong to,
   * or a public room where `other` has been seen, by writing there or by
   * being online there now. Public rooms have no member list; this is what
   * stops a DM to a stranger whose username was guessed.
   */
  async function shareRoom(me: string, other: string): Promise<boolean> {
    const privateRoom = await prisma.roomMember.findFirst({
      where: { userId: me, room: { kind: "room", members: { some: { userId: other } } } },
      select: { roomId: true },
    });
    if (privateRoom) return true;
    const wrote = await prisma.message.findFirst({ where: { authorId: other, room: { visibility: "public" } }, select: { id: true } });
    if (wrote) return true;
    const open = await prisma.room.findMany({ where: { visibility: "public" }, select: { slug: true } });
    return open.some((r) => presence.online(r.slug).some((u) => u.id === other));
  }

  async function blockedBetween(a: string, b: string): Promise<boolean> {
    const row = await prisma.block.findFirst({
      where: { OR: [{ blockerId: a, blockedId: b }, { blockerId: b, blockedId: a }] },
      select: { blockerId: true },
    });
    return row !== null;
  }

  return {
    async open(actor, input) {
      const other = await resolve(input);
      if (other.id === actor.id) throw new AppError("invalid", "you cannot send a direct message to yourself");
      if (await blockedBetween(actor.id, other.id)) throw new AppError("forbidden", "you cannot message this user");
      const key = dmKeyOf(actor.id, other.id);
      let room = await prisma.room.findUnique({ where: { dmKey: key } });
      if (!room) {
        // An existing DM stays open to its pair; a new one needs a shared room.
        if (!(await shareRoom(actor.id, other.id))) throw new AppError("forbidden", "you can only message people you share a room with");
        try {
          room = await prisma.room.create({
            data: {
              id: randomUUID(),
              slug: dmSlugOf(key),
              name: `${actor.name} & ${other.name}`,
              visibility: "private",
              kind: "dm",
              dmKey: key,
              epoch: randomUUID(),
              createdById: actor.id,
              members: { create: [{ userId: actor.id, role: "member" }, { userId: other.id, role: "member" }] },
            },
          });
          // Both sidebars (every tab, every node) pick the new conversation up.
          for (const userId of [actor.id, other.id]) bus.publish({ type: "user", room: "", userId, event: { type: "rooms:changed", room: room.slug } });
        } catch (err) {
          // Both opened it at once: the unique key let one create it; use that one.
          if ((err as { code?: string }).code !== "P2002") throw err;
          room = await prisma.room.findUniqueOrThrow({ where: { dmKey: key } });
        }
      }
      return rooms.summarize(room, actor);
    },

    async list(actor) {
      const list = await prisma.room.findMany({ where: { kind: "dm", members: { some: { userId: actor.id } } } });
      const summaries = await Promise.all(list.map((r) => rooms.summarize(r, actor)));
      return summaries.sort((a, b) => (b.lastMessage?.createdAt ?? "").localeCompare(a.lastMessage?.createdAt ?? ""));
    },

    async blocks(actor) {
      const rows = await prisma.block.findMany({
        where: { blockerId: actor.id },
        orderBy: { createdAt: "desc" },
        select: { blocked: { select: { id: true, name: true, username: true } } },
      });
      return rows.map((r) => r.blocked);
    },

    async block(actor, input) {
      const user = await resolve(input);
      if (user.id === actor.id) throw new AppError("invalid", "you cannot block yourself");
      await prisma.block.upsert({
        where: { blockerId_blockedId: { blockerId: actor.id, blockedId: user.id } },
        update: {},
        create: { blockerId: actor.id, blockedId: user.id },
      });
      return user;
    },

    async unblock(actor, userId) {
      const { count } = await prisma.block.deleteMany({ where: { blockerId: actor.id, blockedId: userId } });
      if (count === 0) throw new AppError("not_found", "this user is not blocked");
    },

    async report(actor, slug, id, input) {
      const { reason } = reportSchema.parse(input);
      const room = await rooms.access(actor, slug);
      const message = await prisma.message.findFirst({
        where: { id, roomId: room.id, deletedAt: null },
        select: { id: true, seq: true, body: true, createdAt: true, author: { select: { id: true, name: true } } },
      });
      if (!message) throw new AppError("not_found", "no such message");
      if (message.author.id === actor.id) throw new AppError("invalid", "you cannot report your own message");
      // One report per reporter and message: a second click is not a second report.
      const earlier = await prisma.auditLog.findFirst({
        where: { action: "message.report", targetId: message.id, actorId: actor.id },
        select: { id: true, createdAt: true },
      });
      if (earlier) return { id: earlier.id, createdAt: earlier.createdAt.toISOString() };
      await limiter.take(actor.id);
      const row = await recordAudit(prisma, {
        actorId: actor.id,
        action: "message.report",
        targetType: "message",
        targetId: message.id,
        detail: {
          room: room.slug,
          kind: room.kind,
          seq: message.seq,
          author: message.author.name,
          authorId: message.author.id,
          // The copy an admin reads: the message may be edited or deleted later.
          text: message.body.slice(0, MAX_BODY),
          sentAt: message.createdAt.toISOString(),
          ...(reason ? { reason } : {}),
        },
      });
      return { id: row.id, createdAt: row.createdAt.toISOString() };
    },
  };
}

/** For posting: throws forbidden when a block stands between a DM's two members. */
export async function dmBlocked(prisma: PrismaClient, room: { kind?: string; dmKey?: string | null }): Promise<boolean> {
  if (room.kind !== "dm" || !room.dmKey) return false;
  const [a, b] = room.dmKey.split(":") as [string, string];
  const row = await prisma.block.findFirst({
    where: { OR: [{ blockerId: a, blockedId: b }, { blockerId: b, blockedId: a }] },
    select: { blockerId: true },
  });
  return row !== null;
}
