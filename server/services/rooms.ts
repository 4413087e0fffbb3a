/**
 * Rooms: listing, creation and access checks. A public room is open to every
 * signed-in user; a private room only to its members, and to anyone else it
 * does not exist (not_found, so private names do not leak).
 */
import { randomUUID } from "node:crypto";
import type { PrismaClient } from "../generated/prisma/client";
import type { RoomSummary, Visibility } from "../contract";
import { addMemberSchema, createRoomSchema } from "../contract";
import { AppError } from "../errors";
import { slugify } from "../lib/slug";
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
}

export interface RoomService {
  ensureDefaults(): Promise<void>;
  list(actor: Actor): Promise<RoomSummary[]>;
  create(actor: Actor, input: unknown): Promise<RoomSummary>;
  /** The room if the actor may read and write it; otherwise not_found. */
  access(actor: Actor, slug: string): Promise<RoomRecord>;
  summarize(room: RoomRecord): Promise<RoomSummary>;
  /** Adds a registered user to a private room; only members may invite. */
  addMember(actor: Actor, slug: string, input: unknown): Promise<{ id: string; name: string }>;
}

/** The lobby's preview of a message: its first 140 characters, never half an emoji. */
const preview = (body: string) => Array.from(body).slice(0, 140).join("");

/**
 * Names that differ only in case, accents or punctuation share a slug, so the
 * conflict names the slug that collides rather than echoing the name just typed.
 */
const nameTaken = (slug: string) => `a room with the address "${slug}" already exists; choose another name`;

export function createRoomService(prisma: PrismaClient, presence: PresenceService): RoomService {
  async function lastMessages(roomIds: string[]) {
    if (roomIds.length === 0) return new Map<string, RoomSummary["lastMessage"]>();
    // The newest message of each room: one indexed lookup on (roomId, seq) per room.
    const out = new Map<string, RoomSummary["lastMessage"]>();
    await Promise.all(
      roomIds.map(async (roomId) => {
        const m = await prisma.message.findFirst({
          where: { roomId },
          orderBy: { seq: "desc" },
          select: { body: true, createdAt: true, author: { select: { name: true } } },
        });
        out.set(roomId, m ? { body: preview(m.body), author: m.author.name, createdAt: m.createdAt.toISOString() } : null);
      }),
    );
    return out;
  }

  function toSummary(room: RoomRecord, last: RoomSummary["lastMessage"]): RoomSummary {
    return {
      slug: room.slug,
      name: room.name,
      topic: room.topic,
      visibility: room.visibility as Visibility,
      online: presence.count(room.slug),
      lastMessage: last,
    };
  }

  async function access(actor: Actor, slug: string): Promise<RoomRecord> {
    const room = await prisma.room.findUnique({ where: { slug } });
    if (!room) throw new AppError("not_found", `no room "${slug}"`);
    if (room.visibility === "private") {
      const member = await prisma.roomMember.findUnique({
        where: { roomId_userId: { roomId: room.id, userId: actor.id } },
        select: { userId: true },
      });
      if (!member) throw new AppError("not_found", `no room "${slug}"`);
    }
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
        where: { OR: [{ visibility: "public" }, { members: { some: { userId: actor.id } } }] },
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
      const slug = slugify(data.name);
      const taken = await prisma.room.findUnique({ where: { slug }, select: { id: true } });
      if (taken) throw new AppError("conflict", nameTaken(slug));
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
          throw new AppError("conflict", nameTaken(slug));
        }
        throw err;
      }
    },

    access,

    async addMember(actor, slug, input) {
      const { username } = addMemberSchema.parse(input);
      const room = await access(actor, slug);
      if (room.visibility !== "private") throw new AppError("invalid", "public rooms are open to everyone; no invitation needed");
      // Usernames are stored lower-cased by better-auth's username plugin.
      const user = await prisma.user.findUnique({ where: { username: username.toLowerCase() }, select: { id: true, name: true } });
      if (!user) throw new AppError("not_found", `no user named "${username}"`);
      await prisma.roomMember.upsert({
        where: { roomId_userId: { roomId: room.id, userId: user.id } },
        update: {},
        create: { roomId: room.id, userId: user.id },
      });
      return user;
    },

    async summarize(room) {
      const last = await lastMessages([room.id]);
      return toSummary(room, last.get(room.id) ?? null);
    },
  };
}
