import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { RoomActivity, RoomEntry } from "@/server/contract";
import { applyActivity, applyRead, applySettings, totalUnread } from "./rooms";

const room = (slug: string, over: Partial<RoomEntry> = {}): RoomEntry => ({
  slug,
  name: slug,
  topic: null,
  visibility: "public",
  readOnly: false,
  online: 0,
  lastMessage: null,
  kind: "room",
  lastReadSeq: 0,
  lastSeq: 0,
  unread: 0,
  mentions: 0,
  muted: false,
  ...over,
});
const act = (roomSlug: string, seq: number, author = "bob", preview = "hi"): RoomActivity => ({
  room: roomSlug,
  seq,
  author: { id: author, name: author, guest: false },
  preview,
  createdAt: "2026-12-01T10:00:00Z",
});
const me = { id: "ann", name: "Ann", reading: null };

describe("room list state", () => {
  it("counts other people's new messages and mentions once each", () => {
    let rooms = [room("general"), room("design")];
    rooms = applyActivity(rooms, act("general", 1), me).rooms;
    const second = applyActivity(rooms, act("general", 2, "bob", "ping @ann"), me);
    assert.equal(second.mention, true);
    rooms = second.rooms;
    // The same event twice (a reconnect, a resend) counts once.
    assert.equal(applyActivity(rooms, act("general", 2), me).rooms, rooms);
    assert.deepEqual([rooms[0]!.unread, rooms[0]!.mentions, rooms[0]!.lastSeq], [2, 1, 2]);
    assert.equal(rooms[1]!.unread, 0);
    // Not the room being read, not one's own messages.
    assert.equal(applyActivity(rooms, act("design", 1), { ...me, reading: "design" }).rooms[1]!.unread, 0);
    const own = applyActivity(rooms, act("general", 3, "ann"), me).rooms[0]!;
    assert.deepEqual([own.unread, own.lastReadSeq], [0, 3]);
  });

  it("clears on a read to the head, asks for a fresh list on a partial one, never goes back", () => {
    const rooms = [room("general", { lastSeq: 5, unread: 3, mentions: 1, lastReadSeq: 2 })];
    assert.deepEqual(applyRead(rooms, { room: "general", seq: 5 }).rooms[0]!.unread, 0);
    const partial = applyRead(rooms, { room: "general", seq: 4 });
    assert.equal(partial.stale, true);
    assert.equal(partial.rooms[0]!.lastReadSeq, 4);
    assert.equal(applyRead(rooms, { room: "general", seq: 1 }).rooms, rooms);
  });

  it("leaves muted rooms out of the title count", () => {
    const rooms = [room("a", { unread: 2 }), room("b", { unread: 5 })];
    assert.equal(totalUnread(rooms), 7);
    assert.equal(totalUnread(applySettings(rooms, { room: "b", muted: true })), 2);
  });
});
