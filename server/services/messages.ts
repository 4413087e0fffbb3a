/**
 * Messages and the room log. Every change a room shows (a new message, an
 * edit, a deletion) takes the room's next seq: the counter row is incremented
 * inside the same transaction as the change and its log row, so seqs start at
 * 1 and have no gaps in commit order however many writers race. Publishing
 * happens only after commit: no client ever sees what the database does not
 * hold.
 */
import type { PrismaClient } from "../generated/prisma/client";
import type { Bus } from "../bus";
import { z } from "zod";
import {
  HISTORY_PAGE,
  MAX_HISTORY_PAGE,
  MAX_BODY,
  REPLAY_PAGE,
  REPLY_EXCERPT,
  deleteSchema,
  editSchema,
  historyQuerySchema,
  sendSchema,
  type LogEntry,
  type LogPage,
  type Message,
  type ReplyRef,
} from "../contract";
import { AppError } from "../errors";
import type { Limiter } from "../lib/limits";
import { recordPersist } from "../ops/recorder";
import type { Actor } from "./actor";
import type { RoomRecord, RoomService } from "./rooms";
import { recordAudit } from "./audit";
import { appendLog, type Tx } from "./log";
import { toBroadcast } from "./broadcasts";
import type { AdminPolicy } from "./policy";
import type { ModerationService } from "./moderation";
import { DuplicateSend, type HotStore, type MessageRow } from "../store/hot";
import { mentionsOf, resolveMentions } from "./mentions";
import { summarize, withReactions } from "./reactions";
import { indexMessage, unindexMessage } from "./search";
import { providerOfClient } from "../db";

export interface MessageService {
  send(actor: Actor, input: unknown): Promise<Message>;
  /** The author changes the text; the edit is a log event. */
  edit(actor: Actor, input: unknown): Promise<Message>;
  /** The author or an admin deletes; the deletion is a log event and the body is erased. */
  remove(actor: Actor, input: unknown): Promise<{ room: string; id: string; seq: number }>;
  /** A page of history, oldest first; without `before`, the newest page. */
  history(actor: Actor, slug: string, query: unknown): Promise<Message[]>;
  /** The log's head: the seq of its newest event. */
  head(room: RoomRecord): Promise<number>;
  /** The newest page of an already authorized room, with the log's head. */
  latest(room: RoomRecord): Promise<LogPage>;
  /**
   * The log events after a cursor, oldest first, at most REPLAY_PAGE of them;
   * or a reset (with the newest page) when the cursor cannot be honoured.
   */
  resume(room: RoomRecord, after: number, epoch?: string): Promise<LogPage>;
  /** A page of history centred on a seq, oldest first (`?around=SEQ`): search results and jumps open there. */
  around(actor: Actor, slug: string, query: unknown): Promise<{ messages: Message[]; around: number }>;
  /** Live messages by id, in no particular order (search hits; the caller has authorized their rooms). */
  byIds(ids: string[]): Promise<Message[]>;
}

export const aroundQuerySchema = z.object({
  around: z.coerce.number().int().min(1),
  limit: z.coerce.number().int().min(1).max(MAX_HISTORY_PAGE).default(HISTORY_PAGE),
});

const author = { select: { id: true, name: true, isAnonymous: true } } as const;
/** What every message read includes: its author, the message it answers, its reactions. */
const withAuthor = {
  author,
  replyTo: { select: { id: true, seq: true, body: true, deletedAt: true, author } },
  ...withReactions,
} as const;

/** A message as the services read it: the hot store's row, with what a `Message` shows beside it. */
type Row = Omit<MessageRow, "roomId"> & {
  mentions: string;
  replyTo: { id: string; seq: number; body: string; deletedAt: Date | null; author: { id: string; name: string } } | null;
  reactions: { emoji: string; userId: string; createdAt: Date }[];
};

/** The original's first REPLY_EXCERPT characters on one line, never half an emoji. */
export function excerptOf(body: string): string {
  return Array.from(body.replace(/\s+/g, " ").trim()).slice(0, REPLY_EXCERPT).join("");
}

function replyRef(r: NonNullable<Row["replyTo"]>): ReplyRef {
  const ref: ReplyRef = { id: r.id, seq: r.seq, author: { id: r.author.id, name: r.author.name }, excerpt: r.deletedAt ? "" : excerptOf(r.body) };
  if (r.deletedAt) ref.deleted = true;
  return ref;
}

function toMessage(room: string, row: Row): Message {
  return {
    id: row.id,
    room,
    seq: row.seq,
    clientId: row.clientId,
    body: row.body,
    author: { id: row.author.id, name: row.author.name, guest: row.author.isAnonymous === true },
    createdAt: row.createdAt.toISOString(),
    editedAt: row.editedAt?.toISOString() ?? null,
    mentions: mentionsOf(row.mentions),
    ...(row.replyTo ? { replyTo: replyRef(row.replyTo) } : {}),
    reactions: summarize(row.reactions),
  };
}

/** Trimmed, non-empty, at most MAX_BODY characters; the same rule for sends and edits. */
function checkBody(raw: string): string {
  const body = raw.trim();
  if (!body) throw new AppError("message_empty", "message is empty");
  if ([...body].length > MAX_BODY) throw new AppError("message_too_long", `message is longer than ${MAX_BODY} characters`, { params: { max: MAX_BODY } });
  return body;
}


/**
 * Inside a transaction: fails with not_found (rolling back) when the message
 * was deleted after it was read, so an edit racing a deletion cannot restore
 * erased text, and two deletions cannot both log. Applies `data` when it is.
 */
async function stillThere(tx: Tx, id: string, data: { body: string; deletedAt?: Date; editedAt?: Date }) {
  const { count } = await tx.message.updateMany({ where: { id, deletedAt: null }, data });
  if (count === 0) throw new AppError("no_message", "no such message");
}


export function createMessageService(deps: {
  prisma: PrismaClient;
  /** The send path's reads and its one write (server/store/hot.ts). */
  store: HotStore;
  bus: Bus;
  rooms: RoomService;
  moderation: ModerationService;
  admin: AdminPolicy;
  limiter: Limiter;
  /** Who is online in a room (for `@here`). */
  online: (room: string) => { id: string }[];
}): MessageService {
  const { prisma, store, bus, rooms, moderation, admin, limiter } = deps;
  const provider = providerOfClient(prisma);

  /** A page of live messages below `before` (the newest without it), oldest first, and the head as of the read. */
  async function read(room: RoomRecord, before: number | undefined, limit: number): Promise<{ head: number | null; messages: Message[] }> {
    // SQLite: prepared statements, the head in the same snapshot (server/store/hot.ts).
    const fast = await store.page?.(room.id, before ?? null, limit);
    const rows =
      fast?.rows ??
      (await prisma.message.findMany({
        where: { roomId: room.id, deletedAt: null, ...(before ? { seq: { lt: before } } : {}) },
        orderBy: { seq: "desc" },
        take: limit,
        include: withAuthor,
      }));
    return { head: fast?.head ?? null, messages: rows.reverse().map((r) => toMessage(room.slug, r)) };
  }
  const page = async (room: RoomRecord, before: number | undefined, limit: number) => (await read(room, before, limit)).messages;

  async function headOf(room: RoomRecord): Promise<number> {
    const row = await prisma.room.findUnique({ where: { id: room.id }, select: { lastSeq: true } });
    return row?.lastSeq ?? 0;
  }

  async function latest(room: RoomRecord): Promise<LogPage> {
    // The head as of the read: the fast read takes it in the same snapshot;
    // through Prisma it is read first, and an event committed between the
    // two reads is covered by the max() below or arrives live.
    const headFirst = store.page ? null : await headOf(room);
    const { head, messages } = await read(room, undefined, HISTORY_PAGE);
    const top = Math.max(headFirst ?? head ?? 0, messages[messages.length - 1]?.seq ?? 0);
    return { messages, events: [], head: top, epoch: room.epoch, more: false, next: top };
  }

  /** A stored message as it is now (a retried send answers with it). */
  async function stored(room: RoomRecord, id: string): Promise<Message> {
    return toMessage(room.slug, await prisma.message.findUniqueOrThrow({ where: { id }, include: withAuthor }));
  }

  /** The message an actor may change, in a room they can access. */
  async function target(actor: Actor, slug: string, id: string) {
    const room = await rooms.access(actor, slug);
    const row = await prisma.message.findFirst({ where: { id, roomId: room.id, deletedAt: null }, include: withAuthor });
    if (!row) throw new AppError("no_message", "no such message");
    return { room, row };
  }

  return {
    async send(actor, input) {
      const req = sendSchema.parse(input);
      const body = checkBody(req.body);
      const room = await rooms.access(actor, req.room);

      // Idempotency first: a retry of a stored message is not a new send and
      // must not count against the rate limit.
      const existing = await store.sentBefore(actor.id, req.clientId);
      if (existing) {
        if (existing.roomId !== room.id) throw new AppError("client_id_reused", "clientId was already used in another room");
        return stored(room, existing.id);
      }
      await moderation.checkCanPost(actor, room);
      await limiter.take(actor.id);
      // A reply answers a live message of the same room; mentions come from the body only (no query without an `@`).
      const original = req.replyTo
        ? await prisma.message.findFirst({ where: { id: req.replyTo, roomId: room.id, deletedAt: null }, select: withAuthor.replyTo.select })
        : null;
      if (req.replyTo && !original) throw new AppError("not_found", "no such message to reply to in this room");
      const mentions = JSON.stringify(await resolveMentions(prisma, room, actor.id, body, () => deps.online(room.slug)));

      let row: Row;
      const started = performance.now();
      try {
        // The store writes the search index in the same transaction (server/services/search.ts).
        const appended = await store.appendMessage({
          roomId: room.id,
          authorId: actor.id,
          clientId: req.clientId,
          body,
          mentions,
          replyToId: original?.id ?? null,
        });
        row = { ...appended, mentions, replyTo: original, reactions: [] };
      } catch (err) {
        // The same clientId raced itself: the other attempt won; return its row.
        if (err instanceof DuplicateSend) {
          const winner = await store.sentBefore(actor.id, req.clientId);
          if (winner) return stored(room, winner.id);
        }
        throw err;
      }
      recordPersist(performance.now() - started); // the admin page's rate and latency, and /metrics
      const message = toMessage(room.slug, row);
      bus.publish({ type: "log", room: room.slug, entry: { type: "message", seq: message.seq, message } });
      return message;
    },

    async edit(actor, input) {
      const req = editSchema.parse(input);
      const body = checkBody(req.body);
      const { room, row } = await target(actor, req.room, req.id);
      if (row.author.id !== actor.id) throw new AppError("not_author", "only the author can edit a message");
      await moderation.checkCanPost(actor, room);
      if (body === row.body) return toMessage(room.slug, row);
      const { updated, seq } = await prisma.$transaction(async (tx) => {
        await stillThere(tx, row.id, { body, editedAt: new Date() });
        await indexMessage(tx, provider, row.id, body);
        const seq = await appendLog(tx, room.id, "message:updated", { messageId: row.id });
        const updated = await tx.message.findUniqueOrThrow({ where: { id: row.id }, include: withAuthor });
        return { updated, seq };
      });
      const message = toMessage(room.slug, updated);
      bus.publish({ type: "log", room: room.slug, entry: { type: "message:updated", seq, message } });
      return message;
    },

    async remove(actor, input) {
      const req = deleteSchema.parse(input);
      const { room, row } = await target(actor, req.room, req.id);
      if (row.author.id !== actor.id) {
        // Re-read: a connection keeps the role it opened with, and it may have been revoked.
        if (!(await admin.isAdmin(actor))) throw new AppError("not_author_or_admin", "only the author or an admin can delete a message");
      }
      const seq = await prisma.$transaction(async (tx) => {
        // The row stays (its seq is part of the log); the text does not.
        await stillThere(tx, row.id, { body: "", deletedAt: new Date() });
        await unindexMessage(tx, provider, row.id);
        const seq = await appendLog(tx, room.id, "message:deleted", { messageId: row.id });
        if (row.author.id !== actor.id) {
          await recordAudit(tx, {
            actorId: actor.id,
            action: "message.delete",
            targetType: "message",
            targetId: row.id,
            detail: { room: room.slug, author: row.author.name, text: row.body.slice(0, 200) },
          });
        }
        return seq;
      });
      bus.publish({ type: "log", room: room.slug, entry: { type: "message:deleted", seq, room: room.slug, id: row.id } });
      return { room: room.slug, id: row.id, seq };
    },

    async history(actor, slug, query) {
      const { before, limit } = historyQuerySchema.parse(query);
      const room = await rooms.access(actor, slug);
      return page(room, before, limit);
    },

    head: headOf,

    latest,

    async resume(room, after, epoch) {
      // Re-read the head: `room` may have been loaded before recent commits.
      const head = await headOf(room);
      if ((epoch !== undefined && epoch !== room.epoch) || after > head) {
        return { ...(await latest(room)), reset: true };
      }
      const rows = await prisma.logEvent.findMany({
        where: { roomId: room.id, seq: { gt: after } },
        orderBy: { seq: "asc" },
        take: REPLAY_PAGE + 1,
        include: { message: { include: withAuthor }, broadcast: { include: { room: { select: { slug: true } } } } },
      });
      const more = rows.length > REPLAY_PAGE;
      const read = rows.slice(0, REPLAY_PAGE);
      const next = read[read.length - 1]?.seq ?? after;
      const events: LogEntry[] = [];
      for (const row of read) {
        if (row.broadcast) {
          if (row.type === "broadcast:retracted") events.push({ type: "broadcast:retracted", seq: row.seq, id: row.broadcast.id });
          // A broadcast retracted since is replayed only as its retraction.
          else if (!row.broadcast.retractedAt) events.push({ type: "broadcast", seq: row.seq, broadcast: toBroadcast(row.broadcast) });
          continue;
        }
        const m = row.message;
        if (!m) continue;
        // A message deleted since is replayed only as its deletion.
        if (m.deletedAt && row.type !== "message:deleted") continue;
        if (row.type === "message:deleted") events.push({ type: "message:deleted", seq: row.seq, room: room.slug, id: m.id });
        // Reactions as they are now, like an edit's text.
        else if (row.type === "message:reactions") events.push({ type: "message:reactions", seq: row.seq, room: room.slug, id: m.id, reactions: summarize(m.reactions) });
        else events.push({ type: row.type as "message" | "message:updated", seq: row.seq, message: toMessage(room.slug, m) });
      }
      const messages = events.flatMap((e) => (e.type === "message" ? [e.message] : []));
      return { messages, events, head, epoch: room.epoch, more, next };
    },

    // ---- Reads for search and jumps (kept apart from the paths above).

    async around(actor, slug, query) {
      const { around, limit } = aroundQuerySchema.parse(query);
      const room = await rooms.access(actor, slug);
      // Half the page before the target (and the target), the rest after it: two indexed range reads on (roomId, seq).
      const older = Math.ceil(limit / 2);
      const [upTo, after] = await Promise.all([
        prisma.message.findMany({
          where: { roomId: room.id, deletedAt: null, seq: { lte: around } },
          orderBy: { seq: "desc" },
          take: older,
          include: withAuthor,
        }),
        prisma.message.findMany({
          where: { roomId: room.id, deletedAt: null, seq: { gt: around } },
          orderBy: { seq: "asc" },
          take: limit - older,
          include: withAuthor,
        }),
      ]);
      return { messages: [...upTo.reverse(), ...after].map((r) => toMessage(room.slug, r)), around };
    },

    async byIds(ids) {
      if (ids.length === 0) return [];
      const rows = await prisma.message.findMany({
        where: { id: { in: ids }, deletedAt: null },
        include: { ...withAuthor, room: { select: { slug: true } } },
      });
      return rows.map((r) => toMessage(r.room.slug, r));
    },
  };
}
