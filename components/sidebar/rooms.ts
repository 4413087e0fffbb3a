/**
 * The room list's state changes, pure (rooms.test.ts): live activity raises a
 * room's counts, a read position (from this tab or another) lowers them, a
 * setting changes `muted`. Counts from activity are a running estimate; the
 * server's answer to `rooms:watch` (on every connect) replaces them.
 */
import type { RoomActivity, RoomEntry, RoomRead, RoomSettings } from "@/server/contract";
import { mentionsUser } from "@/server/lib/mentions";

export interface Viewer {
  id: string;
  name: string;
  /** The room on screen and read as it arrives (visible, scrolled to the bottom), if any. */
  reading: string | null;
}

/** Applies one new message; returns the same array when nothing changed (a duplicate, an unknown room). */
export function applyActivity(rooms: RoomEntry[], a: RoomActivity, me: Viewer): { rooms: RoomEntry[]; mention: boolean; counted: boolean } {
  const i = rooms.findIndex((r) => r.slug === a.room);
  const room = rooms[i];
  if (!room || a.seq <= room.lastSeq) return { rooms, mention: false, counted: false };
  const mine = a.author.id === me.id;
  const counted = !mine && me.reading !== a.room && a.seq > room.lastReadSeq;
  const mention = counted && mentionsUser(a, me);
  const next: RoomEntry = {
    ...room,
    lastSeq: a.seq,
    // Your own message means you have read the room up to it.
    lastReadSeq: mine || me.reading === a.room ? Math.max(room.lastReadSeq, a.seq) : room.lastReadSeq,
    unread: mine ? 0 : room.unread + (counted ? 1 : 0),
    mentions: mine ? 0 : room.mentions + (mention ? 1 : 0),
    lastMessage: { body: a.preview, author: a.author.name, guest: a.author.guest, createdAt: a.createdAt },
  };
  const out = rooms.slice();
  out[i] = next;
  return { rooms: out, mention, counted };
}

/**
 * Applies a read position. Read to the head: nothing is unread. Read partway
 * (another tab stopped mid-room): the counts cannot be known here, `stale`
 * asks for a fresh list.
 */
export function applyRead(rooms: RoomEntry[], r: RoomRead): { rooms: RoomEntry[]; stale: boolean } {
  const i = rooms.findIndex((x) => x.slug === r.room);
  const room = rooms[i];
  if (!room || r.seq <= room.lastReadSeq) return { rooms, stale: false };
  const out = rooms.slice();
  if (r.seq >= room.lastSeq) {
    out[i] = { ...room, lastReadSeq: r.seq, lastSeq: r.seq, unread: 0, mentions: 0 };
    return { rooms: out, stale: false };
  }
  out[i] = { ...room, lastReadSeq: r.seq };
  return { rooms: out, stale: true };
}

export function applySettings(rooms: RoomEntry[], s: RoomSettings): RoomEntry[] {
  return rooms.map((r) => (r.slug === s.room ? { ...r, muted: s.muted } : r));
}

/** The tab title's count: unread messages in rooms that are not muted. */
export function totalUnread(rooms: RoomEntry[]): number {
  return rooms.reduce((n, r) => n + (r.muted ? 0 : r.unread), 0);
}
