/**
 * Rooms: listing, creation and access checks. A public room is open to every
 * signed-in user; a private room only to its members, and to anyone else it
 * does not exist (not_found, so private names do not leak).
 */
import { randomUUID } from "node:crypto";
import type { PrismaClient } from "../generated/prisma/client";
import type { Bus } from "../bus";
import type { Credential } from "../credentials";
import type { RoomSummary, Visibility } from "../contract";
import { addMemberSchema, createRoomSchema } from "../contract";
import { AppError } from "../errors";
import type { Limiter } from "../lib/limits";
import { slugify } from "../lib/slug";
import type { HotStore } from "../store/hot";
import type { PresenceService } from "./presence";
import type { Actor } from "./actor";

export const DEFAULT_ROOM = { slug: "general", name: "general", topic: "Introduce yourself and say hello" } as const;

export interface RoomRecord {
  id: string;
  slug: string;
  name: string;
  topic: string | null;
  visibility: string;
  lastSeq: number;
  epoch: string;
  readOnly: boolean;
  /** "room" | "dm" (server/services/dms.ts); absent means "room". */
  kind?: string;
  /** A DM's ordered pair of user ids. */
  dmKey?: string | null;
}

export interface RoomService {
  ensureDefaults(): Promise<void>;
  list(actor: Actor): Promise<RoomSummary[]>;
  create(actor: Actor, input: unknown): Promise<RoomSummary>;
  /** The room if the actor may read and write it; otherwise not_found. */
  access(actor: Actor, slug: string): Promise<RoomRecord>;
  /** The room as `viewer` sees it: a DM is titled with the other member's name. */
  summarize(room: RoomRecord, viewer?: Actor): Promise<RoomSummary>;
  /**
   * The room if this credential may read its feed: a public room needs none;
   * a private one a member's session or API token, or a feed token for it.
   * Otherwise not_found, so a feed does not reveal that a private room exists.
   */
  feedAccess(credential: Credential | null, slug: string): Promise<RoomRecord>;
  /** A public room (embeds), or null. */
  publicRoom(slug: string): Promise<RoomRecord | null>;
  /** Every room's name and visibility by slug (the operations view). */
  directory(): Promise<{ slug: string; name: string; visibility: string }[]>;
  /** Adds a registered user to a private room; only members may invite. */
  addMember(actor: Actor, slug: string, input: unknown): Promise<{ id: string; name: string }>;
  /**
   * Removes a member from a private room: oneself (leaving), or anyone for
   * the room's owner and admins. Their open subscriptions of the room end at once.
   */
  removeMember(actor: Actor, slug: string, userId: string): Promise<void>;
}

/** The lobby's preview of a message: its first 140 characters, never half an emoji. */
const preview = (body: string) => Array.from(body).slice(0, 140).join("");

/**
 * Names that differ only in case, accents or punctuation share a slug, so the
 * conflict names the slug that collides rather than echoing the name just typed.
 */
const nameTaken = (slug: string) => `a room with the address "${slug}" already exists; choose another name`;

export function createRoomService(deps: {
  prisma: PrismaClient;
  /** The send path's reads (room by slug, membership): every send checks access. */
  store: HotStore;
  bus: Bus;
  presence: PresenceService;
  /** Fresh admin check (the one policy, server/services/policy.ts). */
  isAdmin: (actor: Actor) => Promise<boolean>;
  /** Room creation per user. */
  limiter: Limiter;
}): RoomService {
  const { prisma, store, bus, presence, isAdmin, limiter } = deps;
  async function lastMessages(roomIds: string[]) {
    if (roomIds.length === 0) return new Map<string, RoomSummary["lastMessage"]>();
    // The newest message of each room: one indexed lookup on (roomId, seq) per room.
    const out = new Map<string, RoomSummary["lastMessage"]>();
    await Promise.all(
      roomIds.map(async (roomId) => {
        const m = store.joinReads
          ? await store.joinReads.lastMessage(roomId)
          : await prisma.message.findFirst({
              where: { roomId },
              orderBy: { seq: "desc" },
              select: { body: true, createdAt: true, author: { select: { name: true, isAnonymous: true } } },
            });
        out.set(roomId, m ? { body: preview(m.body), author: m.author.name, guest: m.author.isAnonymous === true, createdAt: m.createdAt.toISOString() } : null);
      }),
    );
    return out;
  }

  function toSummary(room: RoomRecord, last: RoomSummary["lastMessage"], peer?: { id: string; name: string }): RoomSummary {
    return {
      slug: room.slug,
      name: peer?.name ?? room.name,
      topic: room.topic,
      visibility: room.visibility as Visibility,
      kind: room.kind === "dm" ? "dm" : "room",
      readOnly: room.readOnly,
      ...(peer ? { peer } : {}),
      online: presence.count(room.slug),
      lastMessage: last,
    };
  }

  /** A DM's other member, as `viewer` sees it. */
  async function peerOf(room: RoomRecord, viewer: Actor | undefined) {
    if (room.kind !== "dm" || !room.dmKey || !viewer) return undefined;
    const [a, b] = room.dmKey.split(":") as [string, string];
    const id = a === viewer.id ? b : a;
    const user = await prisma.user.findUnique({ where: { id }, select: { id: true, name: true } });
    return user ?? undefined;
  }

  /** A DM's two members are fixed: nobody joins, nobody is removed, so nobody else can read it. */
  const fixedMembers = () => new AppError("invalid", "a direct message has exactly its two members");

  const missing = (slug: string) => new AppError("no_room", `no room "${slug}"`, { params: { room: slug } });

  const isMember = (roomId: string, userId: string): Promise<boolean> => store.isMember(roomId, userId);

  async function access(actor: Actor, slug: string): Promise<RoomRecord> {
    const room = await store.roomBySlug(slug);
    if (!room) throw missing(slug);
    if (room.visibility === "private" && !(await isMember(room.id, actor.id))) throw missing(slug);
    return room;
  }

  return {
    async ensureDefaults() {
      try {
        await prisma.room.upsert({
          where: { slug: DEFAULT_ROOM.slug },
          update: {},
          create: { id: randomUUID(), ...DEFAULT_ROOM, visibility: "public", epoch: randomUUID() },
        });
      } catch (err) {
        // Nodes starting together race to create it; the unique slug lets one win.
        if ((err as { code?: string }).code !== "P2002") throw err;
      }
    },

    async list(actor) {
      const rooms = await prisma.room.findMany({
        // DMs are listed apart (GET /api/dms).
        where: { kind: "room", OR: [{ visibility: "public" }, { members: { some: { userId: actor.id } } }] },
        orderBy: [{ createdAt: "asc" }],
      });
      const last = await lastMessages(rooms.map((r) => r.id));
      const summaries = rooms.map((r) => toSummary(r, last.get(r.id) ?? null));
      // general first, then the most recently active.
      return summaries.sort((a, b) => {
        if (a.slug === DEFAULT_ROOM.slug) return -1;
        if (b.slug === DEFAULT_ROOM.slug) return 1;
        return (b.lastMessage?.createdAt ?? "").localeCompare(a.lastMessage?.createdAt ?? "");
      });
    },

    async create(actor, input) {
      const data = createRoomSchema.parse(input);
      await limiter.take(actor.id);
      const slug = slugify(data.name);
      const taken = await prisma.room.findUnique({ where: { slug }, select: { id: true } });
      if (taken) throw new AppError("room_name_taken", nameTaken(slug), { params: { room: slug } });
      const id = randomUUID();
      try {
        const room = await prisma.room.create({
          data: {
            id,
            slug,
            name: data.name,
            topic: data.topic ?? null,
            visibility: data.visibility,
            epoch: randomUUID(),
            createdById: actor.id,
            members: { create: { userId: actor.id, role: "owner" } },
          },
        });
        return toSummary(room, null);
      } catch (err) {
        // Two creators racing for the same name: the unique slug decides.
        if ((err as { code?: string }).code === "P2002") {
          throw new AppError("room_name_taken", nameTaken(slug), { params: { room: slug } });
        }
        throw err;
      }
    },

    access,

    async feedAccess(credential, slug) {
      const room = await prisma.room.findUnique({ where: { slug } });
      if (!room) throw missing(slug);
      if (room.visibility === "public") return room;
      if (!credential) throw missing(slug);
      if (credential.kind === "feed-token") {
        // Feed tokens (embeds on other sites) never open a DM.
        if (credential.roomId !== room.id || room.kind === "dm") throw missing(slug);
        return room;
      }
      if (!(await isMember(room.id, credential.actor.id))) throw missing(slug);
      return room;
    },

    async publicRoom(slug) {
      const room = await prisma.room.findUnique({ where: { slug } });
      return room && room.visibility === "public" && room.kind === "room" ? room : null;
    },

    async directory() {
      // DMs stay out of the operations view: their names are people's names.
      return prisma.room.findMany({ where: { kind: "room" }, select: { slug: true, name: true, visibility: true } });
    },

    async removeMember(actor, slug, userId) {
      const room = await access(actor, slug);
      if (room.kind === "dm") throw fixedMembers();
      if (room.visibility !== "private") throw new AppError("public_room_members", "public rooms have no member list");
      if (userId !== actor.id) {
        const me = await prisma.roomMember.findUnique({ where: { roomId_userId: { roomId: room.id, userId: actor.id } }, select: { role: true } });
        if (me?.role !== "owner" && !(await isAdmin(actor))) throw new AppError("not_owner_or_admin", "only the room's owner or an admin can remove members");
      }
      const { count } = await prisma.roomMember.deleteMany({ where: { roomId: room.id, userId } });
      if (count === 0) throw new AppError("not_member", "not a member of this room");
      // Their sockets, streams and long-polls of this room end now, on every node.
      bus.publish({ type: "revoke", room: "", scope: { userId, room: room.slug }, reason: "removed" });
    },

    async addMember(actor, slug, input) {
      const { username } = addMemberSchema.parse(input);
      const room = await access(actor, slug);
      if (room.kind === "dm") throw fixedMembers();
      if (room.visibility !== "private") throw new AppError("public_room_invite", "public rooms are open to everyone; no invitation needed");
      // Usernames are stored lower-cased by better-auth's username plugin.
      const user = await prisma.user.findUnique({ where: { username: username.toLowerCase() }, select: { id: true, name: true } });
      if (!user) throw new AppError("no_user", `no user named "${username}"`, { params: { name: username } });
      await prisma.roomMember.upsert({
        where: { roomId_userId: { roomId: room.id, userId: user.id } },
        update: {},
        create: { roomId: room.id, userId: user.id },
      });
      return user;
    },

    async summarize(room, viewer) {
      const [last, peer] = await Promise.all([lastMessages([room.id]), peerOf(room, viewer)]);
      return toSummary(room, last.get(room.id) ?? null, peer);
    },
  };
}
