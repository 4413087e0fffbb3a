/**
 * Room activity for the sidebar: each node turns the new-message log events
 * it receives from the bus into one small `room:activity` packet per room,
 * written once to the room's activity channel (every local socket watching
 * the room). No per-recipient work: whether it mentions the reader is decided
 * by the client (server/lib/mentions.ts). Edits, deletions and broadcasts do
 * not count as activity.
 */
import type { ChatServer } from ".";
import type { LogEntry, RoomActivity } from "../contract";
import { activityChannel } from "../realtime/channels";

/** Long enough for a notification line, short enough to be cheap to fan out. */
const PREVIEW_CHARS = 140;

export function socketActivity(io: ChatServer) {
  return (room: string, entry: LogEntry) => {
    if (entry.type !== "message") return;
    const m = entry.message as typeof entry.message & { mentions?: string[] };
    const payload: RoomActivity = {
      room,
      seq: entry.seq,
      author: m.author,
      preview: Array.from(m.body).slice(0, PREVIEW_CHARS).join(""),
      createdAt: m.createdAt,
      ...(Array.isArray(m.mentions) ? { mentions: m.mentions } : {}),
    };
    io.to(activityChannel(room)).emit("room:activity", payload);
  };
}
