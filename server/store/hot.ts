/**
 * The send path's store: the reads and the one write every `message:send`
 * makes, as few statements as the database allows. Everything else keeps
 * using Prisma.
 *
 * Why it exists (docs/benchmarks.md, server CPU per send): through Prisma an
 * interactive transaction of five statements plus two re-reads, and four
 * reads before it, cost about 2.9 ms of CPU per send with nobody listening,
 * mostly in Prisma's runtime and in re-preparing statements. Here:
 * - SQLite: prepared once, run synchronously on Prisma's own connection
 *   (server/db.ts, `sqliteConnectionOf`), the append in one synchronous
 *   transaction that no other work can interleave with;
 * - PostgreSQL: the append is one statement (counter, message and log row in
 *   a data-modifying CTE), one round trip instead of seven.
 *
 * The rules stay where they were: rooms.access decides who may read a room,
 * moderation.checkCanPost who may post, messages.send what a send is. This
 * module only reads and writes rows.
 */
import { randomUUID } from "node:crypto";
import type { Statement } from "better-sqlite3";
import { sqliteConnectionOf, type BetterSqliteDatabase, type PrismaClient } from "../db";
import type { RoomRecord } from "../services/rooms";
import { charDoc, gramsOf } from "../services/search";

/** A stored message with its author, as the services turn it into a `Message`. */
export interface MessageRow {
  id: string;
  roomId: string;
  seq: number;
  clientId: string;
  body: string;
  createdAt: Date;
  editedAt: Date | null;
  deletedAt: Date | null;
  author: { id: string; name: string; isAnonymous: boolean | null };
}

/** A message with what every read shows beside it: its mentions, the message it answers, its reactions. */
export interface PageRow extends MessageRow {
  /** The mentioned user ids as stored (a JSON array). */
  mentions: string;
  replyTo: { id: string; seq: number; body: string; deletedAt: Date | null; author: { id: string; name: string } } | null;
  /** Oldest first. */
  reactions: { emoji: string; userId: string; createdAt: Date }[];
}

/** What posting depends on, read fresh on every send. */
export interface PosterState {
  banned: boolean;
  role: string | null;
  /** The end of a mute in this room, past or future; null when never muted. */
  muteUntil: Date | null;
}

/** The (author, clientId) pair was stored already: a retry raced its original. */
export class DuplicateSend extends Error {
  constructor() {
    super("a message with this clientId is already stored");
  }
}

export interface HotStore {
  roomBySlug(slug: string): Promise<RoomRecord | null>;
  isMember(roomId: string, userId: string): Promise<boolean>;
  /** Null when the user does not exist. */
  poster(userId: string, roomId: string): Promise<PosterState | null>;
  /** The message an author already stored under a clientId, in any room. */
  sentBefore(authorId: string, clientId: string): Promise<MessageRow | null>;
  /**
   * Takes the room's next seq and stores the message and its log row, in one
   * transaction; resolves once it has committed. Throws DuplicateSend.
   */
  appendMessage(input: AppendInput): Promise<MessageRow>;
  /**
   * The newest `limit` live messages of a room below seq `before` (the newest
   * of all when null), newest first, and the room's head read in the same
   * snapshot. Null where the services' Prisma read serves (PostgreSQL).
   */
  page: ((roomId: string, before: number | null, limit: number) => Promise<{ head: number; rows: PageRow[] }>) | null;
  /**
   * What connecting and joining read besides the page, as prepared statements; null where
   * the services' Prisma reads serve (PostgreSQL). Each says what the Prisma
   * read it replaces says.
   */
  joinReads: JoinReads | null;
}

export interface JoinReads {
  /** A session by its token, with what a credential needs of its user. */
  sessionByToken(token: string): Promise<{ id: string; userId: string; expiresAt: Date; name: string; role: string | null; isAnonymous: boolean | null; banned: boolean | null } | null>;
  /** The room's newest message, deleted or not (the lobby's preview). */
  lastMessage(roomId: string): Promise<{ body: string; createdAt: Date; author: { name: string; isAnonymous: boolean | null } } | null>;
  /** Unretracted broadcasts for this room or every room, unexpired at `now`, oldest first. */
  activeBroadcasts(roomId: string, now: Date): Promise<{ id: string; text: string; level: string; createdAt: Date; expiresAt: Date | null; room: { slug: string } | null }[]>;
  /** The user's stored read position and mute in the room, if any. */
  readState(userId: string, roomId: string): Promise<{ lastReadSeq: number; muted: boolean } | null>;
  /** A never-read room's position: the seq of its last message from before the user joined Relay (0 if none). */
  baseline(userId: string, roomId: string): Promise<number>;
}

export function createHotStore(prisma: PrismaClient): HotStore {
  const sqlite = sqliteConnectionOf(prisma);
  return sqlite ? sqliteStore(sqlite) : prismaStore(prisma);
}

/** Prisma writes SQLite DateTimes as ISO 8601 with an explicit offset; so do we, so both read alike. */
const sqliteTime = (d: Date) => d.toISOString().replace("Z", "+00:00");
const readTime = (v: unknown): Date => (v instanceof Date ? v : new Date(v as string | number));
const readOptionalTime = (v: unknown): Date | null => (v === null || v === undefined ? null : readTime(v));
const readBool = (v: unknown): boolean | null => (v === null || v === undefined ? null : v === true || v === 1 || v === 1n);

/** A room row as the driver returns it: SQLite's booleans are integers. */
type RawRoom = Omit<RoomRecord, "readOnly"> & { readOnly: number | boolean };
const toRoom = (r: RawRoom): RoomRecord => ({ ...r, readOnly: r.readOnly === true || r.readOnly === 1 });

type RawMessage = {
  id: string;
  roomId: string;
  seq: number;
  clientId: string;
  body: string;
  createdAt: string | Date;
  editedAt: string | Date | null;
  deletedAt: string | Date | null;
  authorId: string;
  authorName: string;
  authorAnonymous: number | boolean | null;
};
const toRow = (r: RawMessage): MessageRow => ({
  id: r.id,
  roomId: r.roomId,
  seq: Number(r.seq),
  clientId: r.clientId,
  body: r.body,
  createdAt: readTime(r.createdAt),
  editedAt: readOptionalTime(r.editedAt),
  deletedAt: readOptionalTime(r.deletedAt),
  author: { id: r.authorId, name: r.authorName, isAnonymous: readBool(r.authorAnonymous) },
});

function sqliteStore(connection: NonNullable<ReturnType<typeof sqliteConnectionOf>>): HotStore {
  // Prepared on first use (the connection opens lazily), then reused: SQLite
  // plans each statement once per connection instead of once per send.
  let prepared: ReturnType<typeof prepare> | undefined;
  function prepare(db: BetterSqliteDatabase) {
    const room = db.prepare<[string], RawRoom>(
      `SELECT id, slug, name, topic, visibility, lastSeq, epoch, readOnly, kind, dmKey FROM room WHERE slug = ?`,
    );
    const member = db.prepare<[string, string], { one: number }>(`SELECT 1 AS one FROM room_member WHERE roomId = ? AND userId = ?`);
    const poster = db.prepare<[string, string], { banned: number | null; role: string | null; until: string | null }>(
      `SELECT u.banned AS banned, u.role AS role, m."until" AS "until"
         FROM "user" u LEFT JOIN mute m ON m.roomId = ? AND m.userId = u.id
        WHERE u.id = ?`,
    );
    const sent = db.prepare<[string, string], RawMessage>(
      `SELECT m.id, m.roomId, m.seq, m.clientId, m.body, m.createdAt, m.editedAt, m.deletedAt,
              u.id AS authorId, u.name AS authorName, u.isAnonymous AS authorAnonymous
         FROM message m JOIN "user" u ON u.id = m.authorId
        WHERE m.authorId = ? AND m.clientId = ?`,
    );
    const bump = db.prepare<[string], { lastSeq: number }>(`UPDATE room SET lastSeq = lastSeq + 1 WHERE id = ? RETURNING lastSeq`);
    const insert = db.prepare(
      `INSERT INTO message (id, roomId, seq, clientId, authorId, body, createdAt, mentions, replyToId) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const log = db.prepare(`INSERT INTO log_event (roomId, seq, type, messageId, createdAt) VALUES (?, ?, 'message', ?, ?)`);
    const author = db.prepare<[string], { name: string; isAnonymous: number | null }>(`SELECT name, isAnonymous FROM "user" WHERE id = ?`);
    // The short-query search index (server/services/search.ts): one FTS5 row per message.
    const chars = db.prepare(`INSERT INTO message_chars (rowid, doc) VALUES (?, ?)`);
    // A page: one range read on (roomId, seq) with the author joined, then
    // the messages it answers and its reactions, each one read for the page.
    const head = db.prepare<[string], { lastSeq: number }>(`SELECT lastSeq FROM room WHERE id = ?`);
    const pageRows = db.prepare<[string, number, number], RawMessage & { mentions: string; replyToId: string | null }>(
      `SELECT m.id, m.roomId, m.seq, m.clientId, m.body, m.createdAt, m.editedAt, m.deletedAt, m.mentions, m.replyToId,
              u.id AS authorId, u.name AS authorName, u.isAnonymous AS authorAnonymous
         FROM message m JOIN "user" u ON u.id = m.authorId
        WHERE m.roomId = ? AND m.seq < ? AND m.deletedAt IS NULL
        ORDER BY m.seq DESC LIMIT ?`,
    );
    const replies = db.prepare<[string], { id: string; seq: number; body: string; deletedAt: string | null; authorId: string; authorName: string }>(
      `SELECT r.id, r.seq, r.body, r.deletedAt, u.id AS authorId, u.name AS authorName
         FROM message r JOIN "user" u ON u.id = r.authorId
        WHERE r.id IN (SELECT value FROM json_each(?))`,
    );
    const reactions = db.prepare<[string], { messageId: string; emoji: string; userId: string; createdAt: string }>(
      `SELECT messageId, emoji, userId, createdAt FROM reaction
        WHERE messageId IN (SELECT value FROM json_each(?)) ORDER BY createdAt ASC`,
    );
    const lastMessage = db.prepare<[string], { body: string; createdAt: string; name: string; isAnonymous: number | null }>(
      `SELECT m.body, m.createdAt, u.name, u.isAnonymous FROM message m JOIN "user" u ON u.id = m.authorId
        WHERE m.roomId = ? ORDER BY m.seq DESC LIMIT 1`,
    );
    // Stored times are all ISO 8601 with the same offset and precision (sqliteTime), so they compare as text.
    const broadcasts = db.prepare<[string, string], { id: string; text: string; level: string; createdAt: string; expiresAt: string | null; slug: string | null }>(
      `SELECT b.id, b.text, b.level, b.createdAt, b.expiresAt, r.slug FROM broadcast b LEFT JOIN room r ON r.id = b.roomId
        WHERE b.retractedAt IS NULL AND (b.roomId = ? OR b.roomId IS NULL) AND (b.expiresAt IS NULL OR b.expiresAt > ?)
        ORDER BY b.createdAt ASC`,
    );
    const readState = db.prepare<[string, string], { lastReadSeq: number; muted: number }>(
      `SELECT lastReadSeq, muted FROM read_state WHERE userId = ? AND roomId = ?`,
    );
    const baseline = db.prepare<[string, string], { seq: number }>(
      `SELECT m.seq FROM message m, "user" u WHERE m.roomId = ? AND u.id = ? AND m.createdAt <= u.createdAt ORDER BY m.seq DESC LIMIT 1`,
    );
    const session = db.prepare<[string], { id: string; userId: string; expiresAt: string; name: string; role: string | null; isAnonymous: number | null; banned: number | null }>(
      `SELECT s.id, s.userId, s.expiresAt, u.name, u.role, u.isAnonymous, u.banned FROM session s JOIN "user" u ON u.id = s.userId WHERE s.token = ?`,
    );
    const page = (roomId: string, before: number | null, limit: number) => {
      const top = head.get(roomId)?.lastSeq ?? 0;
      const raw = pageRows.all(roomId, before ?? Number.MAX_SAFE_INTEGER, limit);
      const answered = [...new Set(raw.flatMap((r) => (r.replyToId ? [r.replyToId] : [])))];
      const originals = new Map(
        (answered.length ? replies.all(JSON.stringify(answered)) : []).map((r) => [
          r.id,
          { id: r.id, seq: Number(r.seq), body: r.body, deletedAt: readOptionalTime(r.deletedAt), author: { id: r.authorId, name: r.authorName } },
        ]),
      );
      const byMessage = new Map<string, PageRow["reactions"]>();
      if (raw.length) {
        for (const r of reactions.all(JSON.stringify(raw.map((m) => m.id)))) {
          let list = byMessage.get(r.messageId);
          if (!list) byMessage.set(r.messageId, (list = []));
          list.push({ emoji: r.emoji, userId: r.userId, createdAt: readTime(r.createdAt) });
        }
      }
      const rows = raw.map((r): PageRow => ({
        ...toRow(r),
        mentions: r.mentions,
        replyTo: (r.replyToId && originals.get(r.replyToId)) || null,
        reactions: byMessage.get(r.id) ?? [],
      }));
      return { head: top, rows };
    };
    const append = db.transaction((input: AppendInput): MessageRow => {
      const counter = bump.get(input.roomId);
      if (!counter) throw new Error(`no room ${input.roomId}`);
      const who = author.get(input.authorId);
      if (!who) throw new Error(`no user ${input.authorId}`);
      const id = randomUUID();
      const now = new Date();
      const stamp = sqliteTime(now);
      const row = insert.run(id, input.roomId, counter.lastSeq, input.clientId, input.authorId, input.body, stamp, input.mentions ?? "[]", input.replyToId ?? null);
      log.run(input.roomId, counter.lastSeq, id, stamp);
      if (input.body) chars.run(row.lastInsertRowid, charDoc(input.body));
      return {
        id,
        roomId: input.roomId,
        seq: counter.lastSeq,
        clientId: input.clientId,
        body: input.body,
        createdAt: now,
        editedAt: null,
        deletedAt: null,
        author: { id: input.authorId, name: who.name, isAnonymous: readBool(who.isAnonymous) },
      };
    });
    // Prisma's adapter turns on safe integers for the connection (BigInt
    // results); our columns are all well inside a double.
    for (const st of [room, member, poster, sent, bump, insert, log, author, chars, head, pageRows, replies, reactions, lastMessage, broadcasts, readState, baseline, session] as Statement[]) {
      st.safeIntegers(false);
    }
    // One transaction around the batch; append, nested, is a savepoint each.
    const appendAll = db.transaction((inputs: AppendInput[]): AppendResult[] =>
      inputs.map((input) => {
        try {
          return { ok: true, row: append(input) };
        } catch (error) {
          return { ok: false, error: sendError(error) };
        }
      }),
    );
    return { room, member, poster, sent, appendAll, page, lastMessage, broadcasts, readState, baseline, session };
  }
  const run = <T>(fn: (s: ReturnType<typeof prepare>) => T) => connection.run((db) => fn((prepared ??= prepare(db))));

  /**
   * Group commit: the sends that arrive in one turn of the event loop are
   * stored in one transaction, so one WAL sync (about 0.1-0.3 ms here) covers
   * all of them instead of each. Each send is a savepoint of its own, so one
   * that fails (a duplicate clientId) fails alone. Every send's promise
   * settles only after the transaction holding it has committed: an ack
   * still means stored. Seqs are taken in arrival order within the batch.
   */
  type Pending = { input: AppendInput; resolve: (row: MessageRow) => void; reject: (err: unknown) => void };
  let pending: Pending[] = [];
  function flush() {
    const batch = pending;
    pending = [];
    run((s) => s.appendAll(batch.map((p) => p.input))).then(
      (results) => results.forEach((r, i) => (r.ok ? batch[i]!.resolve(r.row) : batch[i]!.reject(r.error))),
      (err) => batch.forEach((p) => p.reject(err)),
    );
  }

  return {
    roomBySlug: (slug) => run((s) => {
      const r = s.room.get(slug);
      return r ? toRoom(r) : null;
    }),
    isMember: (roomId, userId) => run((s) => s.member.get(roomId, userId) !== undefined),
    poster: (userId, roomId) => run((s) => {
      const r = s.poster.get(roomId, userId);
      return r ? { banned: r.banned === 1, role: r.role, muteUntil: readOptionalTime(r.until) } : null;
    }),
    sentBefore: (authorId, clientId) => run((s) => {
      const r = s.sent.get(authorId, clientId);
      return r ? toRow(r) : null;
    }),
    appendMessage(input) {
      return new Promise<MessageRow>((resolve, reject) => {
        pending.push({ input, resolve, reject });
        if (pending.length === 1) setImmediate(flush);
      });
    },
    page: (roomId, before, limit) => run((s) => s.page(roomId, before, limit)),
    joinReads: {
      sessionByToken: (token) => run((s) => {
        const r = s.session.get(token);
        return r ? { ...r, expiresAt: readTime(r.expiresAt), isAnonymous: readBool(r.isAnonymous), banned: readBool(r.banned) } : null;
      }),
      lastMessage: (roomId) => run((s) => {
        const r = s.lastMessage.get(roomId);
        return r ? { body: r.body, createdAt: readTime(r.createdAt), author: { name: r.name, isAnonymous: readBool(r.isAnonymous) } } : null;
      }),
      activeBroadcasts: (roomId, now) => run((s) =>
        s.broadcasts.all(roomId, sqliteTime(now)).map((b) => ({
          id: b.id,
          text: b.text,
          level: b.level,
          createdAt: readTime(b.createdAt),
          expiresAt: readOptionalTime(b.expiresAt),
          room: b.slug === null ? null : { slug: b.slug },
        })),
      ),
      readState: (userId, roomId) => run((s) => {
        const r = s.readState.get(userId, roomId);
        return r ? { lastReadSeq: r.lastReadSeq, muted: r.muted === 1 } : null;
      }),
      baseline: (userId, roomId) => run((s) => s.baseline.get(roomId, userId)?.seq ?? 0),
    },
  };
}

export type AppendInput = {
  roomId: string;
  authorId: string;
  clientId: string;
  /** Indexed for search with it: message_chars on SQLite, message_gram on PostgreSQL (server/services/search.ts). */
  body: string;
  /** The mentioned user ids as stored (a JSON array); "[]" when omitted. */
  mentions?: string;
  /** The message this one answers, already checked to be in the room. */
  replyToId?: string | null;
};
type AppendResult = { ok: true; row: MessageRow } | { ok: false; error: unknown };

function sendError(err: unknown): unknown {
  if ((err as { code?: string }).code === "SQLITE_CONSTRAINT_UNIQUE" && /message\.(authorId|clientId)/.test((err as Error).message)) {
    return new DuplicateSend();
  }
  return err;
}

function prismaStore(prisma: PrismaClient): HotStore {
  return {
    page: null,
    joinReads: null,
    async roomBySlug(slug) {
      return prisma.room.findUnique({
        where: { slug },
        select: { id: true, slug: true, name: true, topic: true, visibility: true, lastSeq: true, epoch: true, readOnly: true, kind: true, dmKey: true },
      });
    },
    async isMember(roomId, userId) {
      const member = await prisma.roomMember.findUnique({ where: { roomId_userId: { roomId, userId } }, select: { userId: true } });
      return member !== null;
    },
    async poster(userId, roomId) {
      const user = await prisma.user.findUnique({
        where: { id: userId },
        select: { banned: true, role: true, mutes: { where: { roomId }, select: { until: true } } },
      });
      return user ? { banned: user.banned === true, role: user.role, muteUntil: user.mutes[0]?.until ?? null } : null;
    },
    async sentBefore(authorId, clientId) {
      return prisma.message.findUnique({
        where: { authorId_clientId: { authorId, clientId } },
        select: {
          id: true,
          roomId: true,
          seq: true,
          clientId: true,
          body: true,
          createdAt: true,
          editedAt: true,
          deletedAt: true,
          author: { select: { id: true, name: true, isAnonymous: true } },
        },
      });
    },
    async appendMessage({ roomId, authorId, clientId, body, mentions = "[]", replyToId = null }) {
      const grams = gramsOf(body);
      // One statement: PostgreSQL runs it atomically; the counter row's lock
      // orders concurrent sends to a room (read committed re-reads it after
      // the wait, see server/db.ts), and the foreign keys are checked at its
      // end, when the message row exists.
      const id = randomUUID();
      const now = new Date();
      let rows: { seq: number; name: string; isAnonymous: boolean | null }[];
      try {
        const at = now.toISOString().replace("Z", "");
        // A tagged template: every value is a bound parameter.
        rows = await prisma.$queryRaw`
          WITH counter AS (
            UPDATE "room" SET "lastSeq" = "lastSeq" + 1 WHERE "id" = ${roomId} RETURNING "lastSeq"
          ), inserted AS (
            INSERT INTO "message" ("id", "roomId", "seq", "clientId", "authorId", "body", "createdAt", "mentions", "replyToId")
            SELECT ${id}, ${roomId}, counter."lastSeq", ${clientId}, ${authorId}, ${body}, ${at}::timestamp, ${mentions}, ${replyToId} FROM counter
            RETURNING "seq"
          ), logged AS (
            INSERT INTO "log_event" ("roomId", "seq", "type", "messageId", "createdAt")
            SELECT ${roomId}, inserted."seq", 'message', ${id}, ${at}::timestamp FROM inserted
          ), indexed AS (
            INSERT INTO "message_gram" ("gram", "messageId")
            SELECT DISTINCT g, ${id} FROM inserted, unnest(${grams}::text[]) AS g
          )
          SELECT inserted."seq" AS "seq", u."name" AS "name", u."isAnonymous" AS "isAnonymous"
            FROM inserted, "user" u WHERE u."id" = ${authorId}`;
      } catch (err) {
        // 23505: unique_violation (the only unique key a new id can hit is (authorId, clientId)).
        if (/23505|unique constraint/i.test(String((err as Error).message)) && /clientId|authorId/.test(String((err as Error).message))) {
          throw new DuplicateSend();
        }
        throw err;
      }
      const row = rows[0];
      if (!row) throw new Error(`no room ${roomId} or user ${authorId}`);
      return {
        id,
        roomId,
        seq: Number(row.seq),
        clientId,
        body,
        createdAt: now,
        editedAt: null,
        deletedAt: null,
        author: { id: authorId, name: row.name, isAnonymous: row.isAnonymous },
      };
    },
  };
}
