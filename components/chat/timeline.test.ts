import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { dayLabel, firstUnread, timelineMarkers } from "./timeline";

const UTC = 0;
const msg = (seq: number, createdAt: string, author = "bob") => ({ id: `m${seq}`, seq, createdAt, author: { id: author } });

describe("timeline markers", () => {
  const now = new Date("2026-12-01T15:00:00Z");

  it("labels today, yesterday and older days", () => {
    assert.deepEqual(dayLabel(new Date("2026-12-01T00:01:00Z"), now, UTC), { kind: "today" });
    assert.deepEqual(dayLabel(new Date("2026-11-30T23:59:00Z"), now, UTC), { kind: "yesterday" });
    const old = new Date("2026-11-20T10:00:00Z");
    assert.deepEqual(dayLabel(old, now, UTC), { kind: "date", date: old });
    // A message stamped a little ahead of the reader's clock is still today, never "tomorrow".
    assert.deepEqual(dayLabel(new Date("2026-12-02T00:00:05Z"), new Date("2026-12-01T23:59:59Z"), UTC), { kind: "today" });
  });

  it("puts a date separator where the day changes, in the reader's time zone", () => {
    const list = [msg(1, "2026-11-29T10:00:00Z"), msg(2, "2026-11-29T11:00:00Z"), msg(3, "2026-11-30T09:00:00Z"), msg(4, "2026-12-01T08:00:00Z")];
    const marks = timelineMarkers(list, { lastReadSeq: null, meId: "me", now, tzOffsetMin: UTC });
    assert.deepEqual([...marks.keys()], ["m1", "m3", "m4"]);
    assert.equal(marks.get("m3")?.day?.kind, "yesterday");
    assert.equal(marks.get("m4")?.day?.kind, "today");
    // UTC+10 (offset -600): 2026-11-29T11:00Z is the 29th at 21:00, 2026-11-30T09:00Z the 30th at 19:00.
    const east = timelineMarkers([msg(1, "2026-11-29T13:30:00Z"), msg(2, "2026-11-29T14:30:00Z")], { lastReadSeq: null, meId: "me", now, tzOffsetMin: -600 });
    assert.deepEqual([...east.keys()], ["m1", "m2"]);
  });

  it("places the unread divider before the first unread message not by the reader", () => {
    const list = [msg(1, "2026-12-01T08:00:00Z"), msg(2, "2026-12-01T08:01:00Z", "me"), msg(3, "2026-12-01T08:02:00Z"), msg(4, "2026-12-01T08:03:00Z")];
    const marks = timelineMarkers(list, { lastReadSeq: 1, meId: "me", now, tzOffsetMin: UTC });
    assert.equal(firstUnread(marks), "m3");
    assert.equal(marks.get("m4"), undefined);
    assert.equal(firstUnread(timelineMarkers(list, { lastReadSeq: 4, meId: "me", now, tzOffsetMin: UTC })), null);
    assert.equal(firstUnread(timelineMarkers(list, { lastReadSeq: null, meId: "me", now, tzOffsetMin: UTC })), null);
    // Read position between seqs (a deleted message, a broadcast): the next message after it.
    assert.equal(firstUnread(timelineMarkers([msg(5, "2026-12-01T09:00:00Z"), msg(9, "2026-12-01T09:01:00Z")], { lastReadSeq: 7, meId: "me", now, tzOffsetMin: UTC })), "m9");
  });
});
