/**
 * What goes between messages: a date separator when the day changes
 * ("Today", "Yesterday" or a date) and the "New since your last visit"
 * divider before the first message the reader has not read. Pure, so the
 * rules are unit-tested (timeline.test.ts) and MessageList only draws them.
 */
export type DayLabel = { kind: "today" } | { kind: "yesterday" } | { kind: "date"; date: Date };

export interface Marker {
  /** The day starts with this message. */
  day?: DayLabel;
  /** The first unread message: the divider goes before it. */
  unread?: boolean;
}

interface Item {
  id: string;
  seq: number;
  createdAt: string;
  author: { id: string };
}

/** Local calendar day, as a comparable number (the browser's time zone, or a fixed offset in tests). */
function dayNumber(d: Date, tzOffsetMin: number): number {
  return Math.floor((d.getTime() - tzOffsetMin * 60_000) / 86_400_000);
}

export function dayLabel(date: Date, now: Date, tzOffsetMin = date.getTimezoneOffset()): DayLabel {
  const diff = dayNumber(now, tzOffsetMin) - dayNumber(date, tzOffsetMin);
  if (diff <= 0) return { kind: "today" };
  if (diff === 1) return { kind: "yesterday" };
  return { kind: "date", date };
}

/**
 * Markers by message id. `lastReadSeq` is where the reader stood when they
 * opened the room (null: unknown, no divider); messages by the reader never
 * start the unread part.
 */
export function timelineMarkers(
  messages: Item[],
  opts: { lastReadSeq: number | null; meId: string; now: Date; tzOffsetMin?: number },
): Map<string, Marker> {
  const out = new Map<string, Marker>();
  let prevDay: number | null = null;
  let dividerPlaced = false;
  for (const m of messages) {
    const at = new Date(m.createdAt);
    const tz = opts.tzOffsetMin ?? at.getTimezoneOffset();
    const day = dayNumber(at, tz);
    const marker: Marker = {};
    if (prevDay === null || day !== prevDay) marker.day = dayLabel(at, opts.now, tz);
    prevDay = day;
    if (!dividerPlaced && opts.lastReadSeq !== null && m.seq > opts.lastReadSeq && m.author.id !== opts.meId) {
      marker.unread = true;
      dividerPlaced = true;
    }
    if (marker.day || marker.unread) out.set(m.id, marker);
  }
  return out;
}

/** The id of the first unread message, if any (where the room opens). */
export function firstUnread(markers: Map<string, Marker>): string | null {
  for (const [id, m] of markers) if (m.unread) return id;
  return null;
}
