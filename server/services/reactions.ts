/**
 * Reactions: a user toggles one emoji on a message. Each toggle is a room-log
 * event ("message:reactions", with its own seq) carrying the message's
 * reactions as they are after it, so every transport replays it in order,
 * exactly once, like an edit; a resume carries the reactions as they are now.
 *
 * Who may react is who may post: the room must be readable (rooms.access),
 * and the moderation check refuses banned and muted users, and everyone but
 * admins in a read-only room.
 */
import { z } from "zod";
import type { PrismaClient } from "../generated/prisma/client";
import type { Bus } from "../bus";
import { slugSchema, type Reaction } from "../contract";
import { AppError } from "../errors";
import type { Limiter } from "../lib/limits";
import type { Actor } from "./actor";
import { appendLog } from "./log";
import type { ModerationService } from "./moderation";
import type { RoomService } from "./rooms";

/** Users listed per emoji (the first to react); `count` says how many there are in all. */
export const REACTION_USERS = 20;
/** Different emoji on one message: enough for any real conversation, not a canvas. */
export const MAX_EMOJI_PER_MESSAGE = 50;
/** The longest emoji grapheme accepted, in UTF-16 units (a family ZWJ sequence with skin tones is about 35). */
const MAX_EMOJI_LENGTH = 64;

const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });
// Built at run time: the `v` flag is newer than the compile target.
const RGI = new RegExp("^\\p{RGI_Emoji}$", "v");
/** A pictograph with or without its emoji presentation selector (U+2764 or U+2764 U+FE0F), or a keycap. */
const PICTOGRAPH = /^(?:\p{Extended_Pictographic}\uFE0F?(?:[\u{1F3FB}-\u{1F3FF}])?|[#*0-9]\uFE0F?\u20E3)$/u;

/** True when `value` is exactly one emoji grapheme. */
export function isEmoji(value: string): boolean {
  if (typeof value !== "string" || value.length === 0 || value.length > MAX_EMOJI_LENGTH) return false;
  const graphemes = [...segmenter.segment(value)];
  if (graphemes.length !== 1) return false;
  return RGI.test(value) || PICTOGRAPH.test(value);
}

export const emojiSchema = z.string().max(MAX_EMOJI_LENGTH * 2).refine(isEmoji, "emoji must be exactly one emoji");
export const reactionToggleSchema = z.object({ room: slugSchema, id: z.string().min(1).max(64), emoji: emojiSchema });

type ReactionRow = { emoji: string; userId: string; createdAt: Date };

/** Rows (oldest first) to the wire shape: emoji in the order first used, users in the order they reacted. */
export function summarize(rows: ReactionRow[]): Reaction[] {
  const by = new Map<string, Reaction>();
  const sorted = [...rows].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  for (const r of sorted) {
    let entry = by.get(r.emoji);
    if (!entry) by.set(r.emoji, (entry = { emoji: r.emoji, count: 0, users: [] }));
    entry.count += 1;
    if (entry.users.length < REACTION_USERS) entry.users.push(r.userId);
  }
  return [...by.values()];
}

/** What every message read includes to show its reactions. */
export const withReactions = { reactions: { select: { emoji: true, userId: true, createdAt: true }, orderBy: { createdAt: "asc" } } } as const;

export interface ReactionService {
  /** Adds the actor's reaction, or removes it if it was there; returns the message's reactions after. */
  toggle(actor: Actor, input: unknown): Promise<{ room: string; id: string; seq: number; reactions: Reaction[] }>;
}

export function createReactionService(deps: {
  prisma: PrismaClient;
  bus: Bus;
  rooms: RoomService;
  moderation: ModerationService;
  limiter: Limiter;
}): ReactionService {
  const { prisma, bus, rooms, moderation, limiter } = deps;
  return {
    async toggle(actor, input) {
      const req = reactionToggleSchema.parse(input);
      const room = await rooms.access(actor, req.room);
      // A message of another room, deleted or unknown: all the same not_found.
      const message = await prisma.message.findFirst({ where: { id: req.id, roomId: room.id, deletedAt: null }, select: { id: true } });
      if (!message) throw new AppError("not_found", "no such message in this room");
      await moderation.checkCanPost(actor, room);
      await limiter.take(actor.id);

      const { seq, rows } = await prisma.$transaction(async (tx) => {
        const key = { messageId_userId_emoji: { messageId: message.id, userId: actor.id, emoji: req.emoji } };
        const existing = await tx.reaction.findUnique({ where: key });
        if (existing) await tx.reaction.delete({ where: key });
        else {
          const kinds = await tx.reaction.findMany({ where: { messageId: message.id }, distinct: ["emoji"], select: { emoji: true } });
          if (kinds.length >= MAX_EMOJI_PER_MESSAGE && !kinds.some((k) => k.emoji === req.emoji)) {
            throw new AppError("invalid", `a message takes at most ${MAX_EMOJI_PER_MESSAGE} different emoji`);
          }
          await tx.reaction.create({ data: { messageId: message.id, userId: actor.id, emoji: req.emoji } });
        }
        // Fails (rolling back) if the message was deleted meanwhile: no reaction outlives its message in the log.
        const still = await tx.message.findFirst({ where: { id: message.id, deletedAt: null }, select: { id: true } });
        if (!still) throw new AppError("not_found", "no such message in this room");
        const seq = await appendLog(tx, room.id, "message:reactions", { messageId: message.id });
        const rows = await tx.reaction.findMany({ where: { messageId: message.id }, select: { emoji: true, userId: true, createdAt: true } });
        return { seq, rows };
      });
      const reactions = summarize(rows);
      bus.publish({ type: "log", room: room.slug, entry: { type: "message:reactions", seq, room: room.slug, id: message.id, reactions } });
      return { room: room.slug, id: message.id, seq, reactions };
    },
  };
}
