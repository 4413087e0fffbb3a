/**
 * Messages: validate, persist with the room's next seq, then publish. The
 * seq comes from the room's counter row, incremented inside the same
 * transaction as the insert, so seqs start at 1 and have no gaps in commit
 * order however many writers race. Publishing happens only after commit: no
 * client ever sees a message the database does not hold.
 */
import { randomUUID } from "node:crypto";
import type { PrismaClient } from "../generated/prisma/client";
import type { Bus } from "../bus";
import { HISTORY_PAGE, MAX_BODY, REPLAY_PAGE, historyQuerySchema, sendSchema, type LogPage, type Message } from "../contract";
import { AppError } from "../errors";
import type { RateLimiter } from "../lib/rate-limit";
import type { Actor } from "./actor";
import type { RoomRecord, RoomService } from "./rooms";

export interface MessageService {
  send(actor: Actor, input: unknown): Promise<Message>;
  /** A page of history, oldest first; without `before`, the newest page. */
  history(actor: Actor, slug: string, query: unknown): Promise<Message[]>;
  /** The newest page of an already authorized room, with the log's head. */
  latest(room: RoomRecord): Promise<LogPage>;
  /**
   * The events after a cursor, oldest first, at most REPLAY_PAGE of them; or
   * a reset (with the newest page) when the cursor cannot be honoured.
   */
  resume(room: RoomRecord, after: number, epoch?: string): Promise<LogPage>;
}

const withAuthor = { author: { select: { id: true, name: true } } } as const;

type Row = {
  id: string;
  seq: number;
  clientId: string;
  body: string;
  createdAt: Date;
  author: { id: string; name: string };
};

function toMessage(room: string, row: Row): Message {
  return {
    id: row.id,
    room,
    seq: row.seq,
    clientId: row.clientId,
    body: row.body,
    author: { id: row.author.id, name: row.author.name },
    createdAt: row.createdAt.toISOString(),
  };
}

export function createMessageService(deps: {
  prisma: PrismaClient;
  bus: Bus;
  rooms: RoomService;
  limiter: RateLimiter;
}): MessageService {
  const { prisma, bus, rooms, limiter } = deps;

  async function page(room: RoomRecord, before: number | undefined, limit: number) {
    const rows = await prisma.message.findMany({
      where: { roomId: room.id, ...(before ? { seq: { lt: before } } : {}) },
      orderBy: { seq: "desc" },
      take: limit,
      include: withAuthor,
    });
    return rows.reverse().map((r) => toMessage(room.slug, r));
  }

  async function headOf(room: RoomRecord): Promise<number> {
    const row = await prisma.room.findUnique({ where: { id: room.id }, select: { lastSeq: true } });
    return row?.lastSeq ?? 0;
  }

  async function latest(room: RoomRecord): Promise<LogPage> {
    // The head as of this read; a message committed between the two reads is
    // covered by the max() below or arrives live.
    const head = await headOf(room);
    const messages = await page(room, undefined, HISTORY_PAGE);
    return { messages, head: Math.max(head, messages[messages.length - 1]?.seq ?? 0), epoch: room.epoch, more: false };
  }

  return {
    async send(actor, input) {
      const req = sendSchema.parse(input);
      const body = req.body.trim();
      if (!body) throw new AppError("invalid", "message is empty");
      if ([...body].length > MAX_BODY) throw new AppError("too_large", `message is longer than ${MAX_BODY} characters`);
      const room = await rooms.access(actor, req.room);

      // Idempotency first: a retry of a stored message is not a new send and
      // must not count against the rate limit.
      const existing = await prisma.message.findUnique({
        where: { authorId_clientId: { authorId: actor.id, clientId: req.clientId } },
        include: withAuthor,
      });
      if (existing) {
        if (existing.roomId !== room.id) throw new AppError("conflict", "clientId was already used in another room");
        return toMessage(room.slug, existing);
      }
      if (!limiter.take(actor.id)) throw new AppError("rate_limited", "you are sending too fast; wait a moment");

      let row: Row;
      try {
        row = await prisma.$transaction(async (tx) => {
          const { lastSeq } = await tx.room.update({
            where: { id: room.id },
            data: { lastSeq: { increment: 1 } },
            select: { lastSeq: true },
          });
          return tx.message.create({
            data: { id: randomUUID(), roomId: room.id, seq: lastSeq, clientId: req.clientId, authorId: actor.id, body },
            include: withAuthor,
          });
        });
      } catch (err) {
        // The same clientId raced itself: the other attempt won; return its row.
        if ((err as { code?: string }).code === "P2002") {
          const winner = await prisma.message.findUnique({
            where: { authorId_clientId: { authorId: actor.id, clientId: req.clientId } },
            include: withAuthor,
          });
          if (winner) return toMessage(room.slug, winner);
        }
        throw err;
      }
      const message = toMessage(room.slug, row);
      bus.publish({ type: "message:new", room: room.slug, message });
      return message;
    },

    async history(actor, slug, query) {
      const { before, limit } = historyQuerySchema.parse(query);
      const room = await rooms.access(actor, slug);
      return page(room, before, limit);
    },

    latest,

    async resume(room, after, epoch) {
      // Re-read the head: `room` may have been loaded before recent commits.
      const head = await headOf(room);
      if ((epoch !== undefined && epoch !== room.epoch) || after > head) {
        return { ...(await latest(room)), reset: true };
      }
      const rows = await prisma.message.findMany({
        where: { roomId: room.id, seq: { gt: after } },
        orderBy: { seq: "asc" },
        take: REPLAY_PAGE + 1,
        include: withAuthor,
      });
      const more = rows.length > REPLAY_PAGE;
      return {
        messages: rows.slice(0, REPLAY_PAGE).map((r) => toMessage(room.slug, r)),
        head,
        epoch: room.epoch,
        more,
      };
    },
  };
}
