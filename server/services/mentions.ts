/**
 * Mentions: which users a message body names. The server decides, from the
 * body alone; a list sent by a client is never read.
 *
 * - `@username` names a registered user by username (case-insensitive), and
 *   `@Name` a user by display name. A display name with spaces is written with
 *   underscores (`@Ada_Lovelace`), which is what the composer's autocomplete
 *   inserts.
 * - `@here` names everyone online in the room when the message is sent. Their
 *   ids are stored like any other mention (not a flag), so "does this message
 *   mention me" is one rule for every client, and later comers are not
 *   mentioned by an old `@here`.
 * - Only users who can read the room count: anyone for a public room, the
 *   members of a private one. The author's own name is not a mention.
 * - Tokens inside code (`` `@x` `` or a fence) are still parsed: cheap, and a
 *   code sample naming a colleague is rare enough.
 */
import type { UserRef } from "../contract";
import type { PrismaClient } from "../generated/prisma/client";
import type { Actor } from "./actor";
import type { RoomRecord, RoomService } from "./rooms";

/** More distinct names than this in one message are not looked up: a mention is a nudge, not a mailing list. */
export const MAX_MENTIONS = 20;
export const HERE = "here";

/**
 * `@` then a name: letters, digits, `_ . -`, not preceded by a word character
 * (so `ada@example.com` is an address, not a mention). Trailing dots and
 * dashes are punctuation (`thanks @ada.`).
 */
const MENTION = /(?<![\p{L}\p{N}_@])@([\p{L}\p{N}_](?:[\p{L}\p{N}_.-]*[\p{L}\p{N}_])?)/gu;

/** The distinct names a body mentions, in order, at most MAX_MENTIONS; `here` for @here. */
export function parseMentions(body: string): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const m of body.matchAll(MENTION)) {
    const name = m[1]!;
    const key = name.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(key === HERE ? HERE : name);
    if (out.length >= MAX_MENTIONS) break;
  }
  return out;
}

/** The ids of the users a body mentions who can read the room (never the author). */
export async function resolveMentions(
  prisma: PrismaClient,
  room: RoomRecord,
  authorId: string,
  body: string,
  online: () => { id: string }[],
): Promise<string[]> {
  const names = parseMentions(body);
  if (names.length === 0) return [];
  const ids = new Set<string>();
  const plain = names.filter((n) => n !== HERE);
  if (plain.length) {
    const candidates = new Set<string>();
    for (const n of plain) candidates.add(n), candidates.add(n.replace(/_/g, " "));
    const users = await prisma.user.findMany({
      where: {
        OR: [{ username: { in: plain.map((n) => n.toLowerCase()) } }, { name: { in: [...candidates] } }],
        banned: { not: true },
        ...(room.visibility === "private" ? { memberships: { some: { roomId: room.id } } } : {}),
      },
      select: { id: true },
      take: MAX_MENTIONS * 2,
    });
    for (const u of users) ids.add(u.id);
  }
  if (names.includes(HERE)) for (const u of online()) ids.add(u.id);
  ids.delete(authorId);
  return [...ids];
}

/** The stored JSON column, read back. */
export function mentionsOf(stored: string | null | undefined): string[] {
  if (!stored) return [];
  try {
    const value = JSON.parse(stored) as unknown;
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
  } catch {
    return [];
  }
}

/** People offered by the composer's autocomplete: at most this many. */
export const MAX_PEOPLE = 200;
/** A public room's "members" are the people who wrote in it lately: this many recent messages are read. */
const RECENT_AUTHORS_WINDOW = 1000;

export interface MentionService {
  /**
   * Who can be mentioned in a room, for the autocomplete (the client adds
   * who is online): a private room's members; a public room's recent authors.
   */
  people(actor: Actor, slug: string): Promise<UserRef[]>;
}

export function createMentionService(deps: { prisma: PrismaClient; rooms: RoomService }): MentionService {
  const { prisma, rooms } = deps;
  const ref = (u: { id: string; name: string; isAnonymous: boolean | null }): UserRef => ({ id: u.id, name: u.name, guest: u.isAnonymous === true });
  const user = { select: { id: true, name: true, isAnonymous: true, banned: true } } as const;
  return {
    async people(actor, slug) {
      const room = await rooms.access(actor, slug);
      if (room.visibility === "private") {
        const members = await prisma.roomMember.findMany({ where: { roomId: room.id }, include: { user }, take: MAX_PEOPLE });
        return members.filter((m) => !m.user.banned).map((m) => ref(m.user));
      }
      const recent = await prisma.message.findMany({
        where: { roomId: room.id, deletedAt: null },
        orderBy: { seq: "desc" },
        take: RECENT_AUTHORS_WINDOW,
        select: { author: user },
      });
      const out = new Map<string, UserRef>();
      for (const { author } of recent) if (!author.banned && !out.has(author.id) && out.size < MAX_PEOPLE) out.set(author.id, ref(author));
      return [...out.values()];
    },
  };
}
