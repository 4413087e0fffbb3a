/**
 * Message search that reads Chinese, Japanese, Korean, mixed scripts and emoji:
 * no word breaks are needed because every index here works on characters
 * (Unicode code points), not words.
 *
 * - SQLite, query of 3+ characters: FTS5 with the trigram tokenizer
 *   (`message_fts`, a virtual table whose rowid is the message row's rowid;
 *   triggers in the migration keep it in step on insert, edit and deletion,
 *   whatever path writes the row).
 * - SQLite, 1 or 2 characters: FTS5 again (`message_chars`, the same rowid),
 *   over each live body written as one ASCII token per case-folded code point
 *   (charDoc: "你好" is "u4f60 u597d"), so that a query is a phrase of its
 *   characters' tokens. One row per message: an insert costs about 0.1 ms,
 *   where a B-tree row per unigram and bigram cost about 2 ms (docs/
 *   benchmarks.md). Written by the store and by edits and deletions here, in
 *   the same transaction; a trigger removes a row whose message row goes.
 * - PostgreSQL, every length: `message_gram`, the distinct case-folded
 *   unigrams and bigrams of every live body, one indexed row each, written in
 *   the same transaction as the send, edit or deletion. 1 or 2 characters are
 *   one gram lookup; for 3+ the gram table too. A message holds the query
 *   only if it holds all of the query's bigrams (an indexed lookup), and the
 *   candidates are then checked with strpos. (pg_trgm was the other candidate;
 *   it drops characters that are not alphanumeric in the server's locale,
 *   emoji included, and its CJK handling depends on that locale's ctype.)
 *
 * No path scans the message table: server/services/search.test.ts asserts the
 * query plans on both databases.
 */
import { z } from "zod";
import { Prisma, type PrismaClient } from "../generated/prisma/client";
import type { Message } from "../contract";
import { providerOfClient } from "../db";
import { AppError } from "../errors";
import type { Actor } from "./actor";
import type { Tx } from "./log";
import type { RoomService } from "./rooms";
import { peerOf } from "./dms";

/** The longest query: enough for a sentence, short enough that its bigram list stays small. */
export const MAX_QUERY = 200;
export const SEARCH_PAGE = 20;
export const MAX_SEARCH_PAGE = 50;

export const searchQuerySchema = z.object({
  q: z.string().max(MAX_QUERY * 2),
  room: z.string().trim().toLowerCase().min(1).max(80).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_SEARCH_PAGE).default(SEARCH_PAGE),
  /** The `next` of the previous page: the id of its last (oldest) hit. */
  before: z.string().min(1).max(64).optional(),
});

export interface SearchHit {
  message: Message;
  /** Where it was said: a DM's name is the other person's. */
  room: { slug: string; name: string; kind: "room" | "dm" };
  /** [start, end) offsets into message.body, in UTF-16 code units (JavaScript string indexes). */
  highlights: [number, number][];
}

export interface SearchResult {
  hits: SearchHit[];
  /** Pass as `before` for the next (older) page; absent on the last page. */
  next?: string;
}

export interface SearchService {
  search(actor: Actor, query: unknown): Promise<SearchResult>;
}

/** One code point, case-folded, kept to one code point (a fold that would change the length is skipped). */
function foldChar(ch: string): string {
  const lower = ch.toLowerCase();
  return Array.from(lower).length === 1 ? lower : ch;
}

/** The code points of a text, case-folded. */
export function foldChars(text: string): string[] {
  return Array.from(text, foldChar);
}

/** The distinct unigrams and bigrams of a body: its rows in message_gram. */
export function gramsOf(body: string): string[] {
  const chars = foldChars(body);
  const out = new Set<string>(chars);
  for (let i = 0; i + 1 < chars.length; i++) out.add(chars[i]! + chars[i + 1]!);
  return [...out];
}

/** A code point's token in message_chars: "u" and its hex code point (what the migration's SQL writes too). */
const charToken = (ch: string) => `u${ch.codePointAt(0)!.toString(16)}`;

/** A body as message_chars indexes it: a token per case-folded code point, in order. */
export function charDoc(body: string): string {
  return foldChars(body).map(charToken).join(" ");
}

/** A short query as an FTS5 phrase of its characters' tokens (all ASCII alphanumerics: nothing to escape). */
export const charPhrase = (q: string) => `"${charDoc(q)}"`;

/** Every non-overlapping occurrence of `query` in `body`, case-folded, as UTF-16 [start, end) offsets. */
export function highlightsOf(body: string, query: string): [number, number][] {
  const q = foldChars(query);
  if (q.length === 0) return [];
  const chars: string[] = [];
  const starts: number[] = [];
  let offset = 0;
  for (const ch of body) {
    starts.push(offset);
    chars.push(foldChar(ch));
    offset += ch.length;
  }
  starts.push(offset);
  const out: [number, number][] = [];
  for (let i = 0; i + q.length <= chars.length; ) {
    let j = 0;
    while (j < q.length && chars[i + j] === q[j]) j++;
    if (j === q.length) {
      out.push([starts[i]!, starts[i + q.length]!]);
      i += q.length;
    } else i++;
  }
  return out;
}

/** Replaces a message's short-query index entry (inside the caller's transaction). An empty body leaves none. */
export async function indexMessage(tx: Tx | PrismaClient, provider: "sqlite" | "postgresql", messageId: string, body: string): Promise<void> {
  await unindexMessage(tx, provider, messageId);
  if (!body) return;
  if (provider === "sqlite") {
    await tx.$executeRaw`INSERT INTO message_chars(rowid, doc) SELECT rowid, ${charDoc(body)} FROM message WHERE id = ${messageId}`;
    return;
  }
  const grams = gramsOf(body);
  if (grams.length) await tx.messageGram.createMany({ data: grams.map((gram) => ({ gram, messageId })) });
}

/** Drops a deleted message from the short-query index. (message_fts's row goes by trigger.) */
export async function unindexMessage(tx: Tx | PrismaClient, provider: "sqlite" | "postgresql", messageId: string): Promise<void> {
  if (provider === "sqlite") await tx.$executeRaw`DELETE FROM message_chars WHERE rowid = (SELECT rowid FROM message WHERE id = ${messageId})`;
  else await tx.messageGram.deleteMany({ where: { messageId } });
}

/** FTS5 phrase syntax: the whole query as one quoted string, quotes doubled. */
const ftsPhrase = (q: string) => `"${q.replaceAll('"', '""')}"`;

export interface SearchSqlInput {
  provider: "sqlite" | "postgresql";
  /** The trimmed query. */
  q: string;
  actorId: string;
  /** Restrict to one (already authorized) room. */
  roomId?: string;
  before?: string;
  take: number;
}

/**
 * The one query the search runs, for the provider and the query's length:
 * ids of matching live messages in rooms the actor may read, newest first.
 * Exported for the query-plan test.
 */
export function searchSql(input: SearchSqlInput): Prisma.Sql {
  const { provider, q, actorId, roomId, before, take } = input;
  const chars = foldChars(q);
  // Public rooms, and the private rooms (DMs included) the actor belongs to.
  const rooms = roomId
    ? Prisma.sql`m."roomId" = ${roomId}`
    : Prisma.sql`m."roomId" IN (SELECT r.id FROM room AS r WHERE r.visibility = 'public' UNION SELECT rm."roomId" FROM room_member AS rm WHERE rm."userId" = ${actorId})`;
  // Newest first: by time, and within one room by seq (two sends in the same
  // millisecond keep their log order). The cursor is the last hit's id: the
  // next page is what comes after it in that order.
  const cursor = before
    ? Prisma.sql`AND (m."createdAt", m."roomId", m.seq) < (SELECT c."createdAt", c."roomId", c.seq FROM message AS c WHERE c.id = ${before})`
    : Prisma.empty;
  const tail = Prisma.sql`AND m."deletedAt" IS NULL AND ${rooms} ${cursor} ORDER BY m."createdAt" DESC, m."roomId" DESC, m.seq DESC LIMIT ${take}`;

  if (provider === "sqlite" && chars.length <= 2) {
    // CROSS JOIN: SQLite keeps the index lookup as the outer loop.
    return Prisma.sql`SELECT m.id FROM message_chars AS c CROSS JOIN message AS m
      WHERE message_chars MATCH ${charPhrase(q)} AND m.rowid = c.rowid ${tail}`;
  }
  if (chars.length <= 2) {
    return Prisma.sql`SELECT m.id FROM message_gram AS g CROSS JOIN message AS m
      WHERE g.gram = ${chars.join("")} AND m.id = g."messageId" ${tail}`;
  }
  if (provider === "sqlite") {
    return Prisma.sql`SELECT m.id FROM message_fts AS f CROSS JOIN message AS m
      WHERE message_fts MATCH ${ftsPhrase(q)} AND m.rowid = f.rowid ${tail}`;
  }
  const bigrams = [...new Set(chars.slice(1).map((c, i) => chars[i]! + c))];
  return Prisma.sql`SELECT m.id FROM message AS m
    WHERE m.id IN (SELECT g."messageId" FROM message_gram AS g WHERE g.gram IN (${Prisma.join(bigrams)})
                   GROUP BY g."messageId" HAVING COUNT(*) = ${bigrams.length})
      AND strpos(lower(m.body), ${chars.join("")}) > 0 ${tail}`;
}

export function createSearchService(deps: {
  prisma: PrismaClient;
  rooms: RoomService;
  /** Messages by id, as every other read shows them (server/services/messages.ts). */
  load: (ids: string[]) => Promise<Message[]>;
}): SearchService {
  const { prisma, rooms, load } = deps;

  /** Each room's title as this actor sees it. */
  async function titles(actor: Actor, slugs: string[]) {
    const list = await prisma.room.findMany({ where: { slug: { in: slugs } }, select: { slug: true, name: true, kind: true, dmKey: true } });
    const peers = list.flatMap((r) => (r.kind === "dm" && r.dmKey ? [peerOf(r.dmKey, actor.id)] : []));
    const names = new Map((await prisma.user.findMany({ where: { id: { in: peers } }, select: { id: true, name: true } })).map((u) => [u.id, u.name]));
    return new Map(
      list.map((r) => [
        r.slug,
        r.kind === "dm" && r.dmKey
          ? { slug: r.slug, name: names.get(peerOf(r.dmKey, actor.id)) ?? r.name, kind: "dm" as const }
          : { slug: r.slug, name: r.name, kind: "room" as const },
      ]),
    );
  }
  const provider = providerOfClient(prisma);
  return {
    async search(actor, query) {
      const parsed = searchQuerySchema.parse(query);
      const q = parsed.q.trim();
      if (!q) throw new AppError("invalid", "type something to search for");
      if (Array.from(q).length > MAX_QUERY) throw new AppError("invalid", `a search is at most ${MAX_QUERY} characters`);
      const room = parsed.room ? await rooms.access(actor, parsed.room) : undefined;
      const sql = searchSql({ provider, q, actorId: actor.id, roomId: room?.id, before: parsed.before, take: parsed.limit + 1 });
      const rows = await prisma.$queryRaw<{ id: string }[]>(sql);
      const more = rows.length > parsed.limit;
      const ids = rows.slice(0, parsed.limit).map((r) => r.id);
      const messages = await load(ids);
      const byId = new Map(messages.map((m) => [m.id, m]));
      const where = await titles(actor, [...new Set(messages.map((m) => m.room))]);
      const hits: SearchHit[] = [];
      for (const id of ids) {
        const message = byId.get(id);
        const room = message && where.get(message.room);
        if (message && room) hits.push({ message, room, highlights: highlightsOf(message.body, q) });
      }
      return more && ids.length ? { hits, next: ids[ids.length - 1] } : { hits };
    },
  };
}
