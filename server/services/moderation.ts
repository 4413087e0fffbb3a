/**
 * Moderation: mute a user in a room, ban and unban, lock a room to read-only.
 * Admins only; every action is audited in the same transaction. A ban takes
 * effect everywhere at once: sessions are deleted (better-auth's admin plugin
 * then refuses sign-in while `banned` is set) and the bus tells every node to
 * close the user's sockets, streams and WebSocket connections.
 */
import { z } from "zod";
import type { PrismaClient } from "../generated/prisma/client";
import type { Bus } from "../bus";
import { containsInsensitive } from "../db";
import { slugSchema, text, type PostingState } from "../contract";
import { AppError } from "../errors";
import type { Actor } from "./actor";
import { dmBlocked } from "./dms";
import { recordAudit } from "./audit";
import type { AdminPolicy } from "./policy";
import type { RoomRecord } from "./rooms";
import type { HotStore } from "../store/hot";

const userRef = z.object({ user: z.string().trim().min(1).max(64) });
export const muteSchema = userRef.extend({ room: slugSchema, minutes: z.number().int().min(1).max(60 * 24 * 30) });
export const banSchema = userRef.extend({ reason: text().trim().max(200).optional() });
export const lockSchema = z.object({ readOnly: z.boolean() });

export interface ModerationService {
  mute(actor: Actor, input: unknown): Promise<{ until: string }>;
  unmute(actor: Actor, input: unknown): Promise<void>;
  ban(actor: Actor, input: unknown): Promise<void>;
  unban(actor: Actor, input: unknown): Promise<void>;
  lock(actor: Actor, slug: string, input: unknown): Promise<{ readOnly: boolean }>;
  /** Whether the actor may post in the room now, and if not, why (the composer shows it). */
  posting(actor: Actor, room: RoomRecord): Promise<PostingState>;
  /** Throws `forbidden` with a reason the UI shows when the actor may not post here. */
  checkCanPost(actor: Actor, room: RoomRecord): Promise<void>;
  /**
   * Users matching a name or username, for the admin's moderation form. With
   * a room, each says until when they are muted there (null: not muted), so
   * the form offers only the action that applies.
   */
  findUsers(
    actor: Actor,
    q: string,
    room?: string,
  ): Promise<{ id: string; name: string; username: string | null; role: string; banned: boolean; mutedUntil: string | null }[]>;
}

export function createModerationService(prisma: PrismaClient, store: HotStore, bus: Bus, admin: AdminPolicy): ModerationService {
  /**
   * The one posting rule, for sends, edits and reactions (checkCanPost) and
   * for the composer (the join answer's `posting`). Read fresh every time: a
   * connection opened before a ban, a role change or a mute must not keep its
   * old powers.
   */
  async function posting(actor: Actor, room: RoomRecord): Promise<PostingState> {
    const user = await store.poster(actor.id, room.id);
    if (user?.banned) return { allowed: false, reason: "banned" };
    if (await dmBlocked(prisma, room)) return { allowed: false, reason: "dm_blocked" };
    if (user?.role === "admin") return { allowed: true };
    if (room.readOnly) return { allowed: false, reason: "read_only" };
    const until = user?.muteUntil;
    if (until && until.getTime() > Date.now()) return { allowed: false, reason: "muted", until: until.toISOString() };
    return { allowed: true };
  }

  /** A user by id or username. */
  async function resolveUser(ref: string) {
    const user =
      (await prisma.user.findUnique({ where: { id: ref } })) ??
      (await prisma.user.findUnique({ where: { username: ref.toLowerCase() } }));
    if (!user) throw new AppError("no_user", `no user "${ref}"`, { params: { name: ref } });
    return user;
  }

  return {
    async mute(actor, input) {
      await admin.require(actor);
      const { user: ref, room: slug, minutes } = muteSchema.parse(input);
      const user = await resolveUser(ref);
      const room = await prisma.room.findUnique({ where: { slug } });
      // DMs are moderated only through reports: for admin actions they do not exist.
      if (!room || room.kind === "dm") throw new AppError("no_room", `no room "${slug}"`, { params: { room: slug } });
      const until = new Date(Date.now() + minutes * 60_000);
      await prisma.$transaction(async (tx) => {
        await tx.mute.upsert({
          where: { roomId_userId: { roomId: room.id, userId: user.id } },
          create: { roomId: room.id, userId: user.id, until },
          update: { until },
        });
        await recordAudit(tx, { actorId: actor.id, action: "user.mute", targetType: "user", targetId: user.id, detail: { room: slug, minutes, name: user.name } });
      });
      return { until: until.toISOString() };
    },

    async unmute(actor, input) {
      await admin.require(actor);
      const { user: ref, room: slug } = muteSchema.pick({ user: true, room: true }).parse(input);
      const user = await resolveUser(ref);
      const room = await prisma.room.findUnique({ where: { slug } });
      // DMs are moderated only through reports: for admin actions they do not exist.
      if (!room || room.kind === "dm") throw new AppError("no_room", `no room "${slug}"`, { params: { room: slug } });
      await prisma.$transaction(async (tx) => {
        await tx.mute.deleteMany({ where: { roomId: room.id, userId: user.id } });
        await recordAudit(tx, { actorId: actor.id, action: "user.unmute", targetType: "user", targetId: user.id, detail: { room: slug, name: user.name } });
      });
    },

    async ban(actor, input) {
      await admin.require(actor);
      const { user: ref, reason } = banSchema.parse(input);
      const user = await resolveUser(ref);
      if (user.id === actor.id) throw new AppError("cannot_ban_self", "you cannot ban yourself");
      await prisma.$transaction(async (tx) => {
        await tx.user.update({ where: { id: user.id }, data: { banned: true, banReason: reason ?? null } });
        await tx.session.deleteMany({ where: { userId: user.id } });
        await tx.apiToken.deleteMany({ where: { userId: user.id } });
        await recordAudit(tx, { actorId: actor.id, action: "user.ban", targetType: "user", targetId: user.id, detail: { reason: reason ?? null, name: user.name } });
      });
      // Every connection of theirs closes now, on every transport and every node.
      bus.publish({ type: "revoke", room: "", scope: { userId: user.id }, reason: "banned" });
    },

    async unban(actor, input) {
      await admin.require(actor);
      const { user: ref } = userRef.parse(input);
      const user = await resolveUser(ref);
      await prisma.$transaction(async (tx) => {
        await tx.user.update({ where: { id: user.id }, data: { banned: false, banReason: null, banExpires: null } });
        await recordAudit(tx, { actorId: actor.id, action: "user.unban", targetType: "user", targetId: user.id, detail: { name: user.name } });
      });
    },

    async lock(actor, slug, input) {
      await admin.require(actor);
      const { readOnly } = lockSchema.parse(input);
      const room = await prisma.room.findUnique({ where: { slug } });
      // DMs are moderated only through reports: for admin actions they do not exist.
      if (!room || room.kind === "dm") throw new AppError("no_room", `no room "${slug}"`, { params: { room: slug } });
      await prisma.$transaction(async (tx) => {
        await tx.room.update({ where: { id: room.id }, data: { readOnly } });
        await recordAudit(tx, { actorId: actor.id, action: readOnly ? "room.lock" : "room.unlock", targetType: "room", targetId: room.id, detail: { room: slug } });
      });
      return { readOnly };
    },

    posting,

    async checkCanPost(actor, room) {
      const state = await posting(actor, room);
      if (state.allowed) return;
      switch (state.reason) {
        case "banned":
          throw new AppError("banned", "this account is banned");
        case "dm_blocked":
          throw new AppError("dm_blocked", "this conversation is blocked");
        case "read_only":
          throw new AppError("read_only", "this room is read-only", { params: { room: room.name } });
        case "muted":
          throw new AppError("muted", `you are muted in #${room.slug} until ${state.until}`, { params: { room: room.name, until: state.until } });
      }
    },

    async findUsers(actor, q, slug) {
      await admin.require(actor);
      const term = q.trim();
      const room = slug ? await prisma.room.findUnique({ where: { slug: slugSchema.parse(slug) }, select: { id: true } }) : null;
      const now = new Date();
      const rows = await prisma.user.findMany({
        where: term ? { OR: [{ name: containsInsensitive(prisma, term) }, { username: { contains: term.toLowerCase() } }] } : {},
        orderBy: { createdAt: "desc" },
        take: 20,
        select: {
          id: true,
          name: true,
          username: true,
          role: true,
          banned: true,
          mutes: { where: { roomId: room?.id ?? "", until: { gt: now } }, select: { until: true } },
        },
      });
      return rows.map(({ mutes, ...r }) => ({
        ...r,
        role: r.role ?? "member",
        banned: r.banned === true,
        mutedUntil: mutes[0]?.until.toISOString() ?? null,
      }));
    },
  };
}
