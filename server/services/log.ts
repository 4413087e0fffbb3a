/**
 * The room log's one writer. Every event a room shows takes the room's next
 * seq from its counter row, incremented inside the caller's transaction, so
 * seqs are gapless in commit order however many writers race. Messages and
 * broadcasts both append through here.
 */
import type { PrismaClient } from "../generated/prisma/client";

export type Tx = Parameters<Parameters<PrismaClient["$transaction"]>[0]>[0];

export type LogType = "message" | "message:updated" | "message:deleted" | "message:reactions" | "broadcast" | "broadcast:retracted";
export type LogRef = { messageId: string } | { broadcastId: string };

/** Takes the room's next seq. Use with recordLog when the seq must exist before its referent. */
export async function nextSeq(tx: Tx, roomId: string): Promise<number> {
  const { lastSeq } = await tx.room.update({ where: { id: roomId }, data: { lastSeq: { increment: 1 } }, select: { lastSeq: true } });
  return lastSeq;
}

/** Writes the log row for a seq taken with nextSeq. */
export async function recordLog(tx: Tx, roomId: string, seq: number, type: LogType, ref: LogRef): Promise<void> {
  await tx.logEvent.create({ data: { roomId, seq, type, ...ref } });
}

/** Appends an event about an existing message or broadcast; returns its seq. */
export async function appendLog(tx: Tx, roomId: string, type: LogType, ref: LogRef): Promise<number> {
  const seq = await nextSeq(tx, roomId);
  await recordLog(tx, roomId, seq, type, ref);
  return seq;
}
