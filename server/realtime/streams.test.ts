/**
 * The room streams and the subscription core, against an in-memory log: what
 * goes out is the log in seq order, once each, whatever the bus did.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { LogEntry, LogPage, Message } from "../contract";
import type { RoomRecord } from "../services/rooms";
import { createRoomStreams, type Emission, type GroupEmitter, type LogReader } from "./streams";
import { createSubscriptions, type Sink } from "./subscription";

const room: RoomRecord = { id: "r1", slug: "general", name: "general", topic: null, visibility: "public", lastSeq: 0, epoch: "e1", readOnly: false };

function message(seq: number): Message {
  return {
    id: `m${seq}`,
    room: "general",
    seq,
    clientId: `c${seq}`,
    body: `body ${seq}`,
    author: { id: "u1", name: "Ann", guest: false },
    createdAt: new Date(0).toISOString(),
    editedAt: null,
    mentions: [],
    reactions: [],
  };
}
const entry = (seq: number): LogEntry => ({ type: "message", seq, message: message(seq) });

/** A log in memory with the messages service's paging rules; `reads` counts database round trips. */
function memoryLog(pageSize = 500) {
  const rows: LogEntry[] = [];
  const log = {
    rows,
    reads: 0,
    failNext: 0,
    append(n = 1) {
      const out: LogEntry[] = [];
      for (let i = 0; i < n; i++) {
        const e = entry(rows.length + 1);
        rows.push(e);
        out.push(e);
      }
      return out;
    },
    reader: {
      async head() {
        log.reads += 1;
        return rows.length;
      },
      async latest(): Promise<LogPage> {
        log.reads += 1;
        const head = rows.length;
        const messages = rows.slice(-50).map((e) => (e as Extract<LogEntry, { type: "message" }>).message);
        return { messages, events: [], head, epoch: "e1", more: false, next: head };
      },
      async resume(_room: RoomRecord, after: number, epoch?: string): Promise<LogPage> {
        log.reads += 1;
        if (log.failNext > 0) {
          log.failNext -= 1;
          throw new Error("database is down");
        }
        const head = rows.length;
        if ((epoch !== undefined && epoch !== "e1") || after > head) return { ...(await log.reader.latest()), reset: true };
        const page = rows.slice(after, after + pageSize);
        const next = page.at(-1)?.seq ?? after;
        return {
          messages: page.map((e) => (e as Extract<LogEntry, { type: "message" }>).message),
          events: page,
          head,
          epoch: "e1",
          more: after + pageSize < head,
          next,
        };
      },
    } satisfies LogReader,
  };
  return log;
}

function recordingGroup(): GroupEmitter & { seqs: number[] } {
  const seqs: number[] = [];
  return { seqs, entry: (_room, e) => void seqs.push(e.entry.seq), ephemeral() {}, members: () => [] };
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe("room streams", () => {
  it("puts reordered and duplicated events back in seq order, once each", async () => {
    const log = memoryLog();
    const group = recordingGroup();
    const streams = createRoomStreams({ reader: log.reader, group, gapWaitMs: 1_000 });
    const stream = await streams.acquire(room);
    const events = log.append(6);
    for (const seq of [2, 1, 1, 4, 3, 3, 6, 5, 2]) streams.ingest({ type: "log", room: "general", entry: events[seq - 1]! });
    assert.deepEqual(group.seqs, range(1, 6));
    assert.equal(stream.position, 6);
    stream.release();
    streams.close();
  });

  it("fills a gap from the log after a short wait, and sends what was held after it", async () => {
    const log = memoryLog();
    const group = recordingGroup();
    const streams = createRoomStreams({ reader: log.reader, group, gapWaitMs: 20 });
    await streams.acquire(room);
    const events = log.append(5);
    // 1 and 2 are lost on the way; 3..5 arrive.
    for (const e of events.slice(2)) streams.ingest({ type: "log", room: "general", entry: e });
    assert.deepEqual(group.seqs, [], "nothing goes out past a gap");
    await wait(60);
    assert.deepEqual(group.seqs, range(1, 5));
    streams.close();
  });

  it("keeps a gap open while the database is down, and fills it when it answers", async () => {
    const log = memoryLog();
    const group = recordingGroup();
    const streams = createRoomStreams({ reader: log.reader, group, gapWaitMs: 10 });
    await streams.acquire(room);
    const events = log.append(3);
    log.failNext = 1;
    streams.ingest({ type: "log", room: "general", entry: events[2]! });
    await wait(40);
    assert.deepEqual(group.seqs, [], "nothing skipped while the log cannot be read");
    await wait(1_100); // FILL_RETRY_MS
    assert.deepEqual(group.seqs, [1, 2, 3]);
    streams.close();
  });

  it("learns of events the bus lost entirely when the bus recovers", async () => {
    const log = memoryLog();
    const group = recordingGroup();
    const streams = createRoomStreams({ reader: log.reader, group, gapWaitMs: 10 });
    await streams.acquire(room);
    log.append(4); // published during an outage: nothing arrives
    await wait(30);
    assert.deepEqual(group.seqs, []);
    streams.recheck();
    await wait(40);
    assert.deepEqual(group.seqs, range(1, 4));
    streams.close();
  });

  it("starts at the log's head and ignores what was before it", async () => {
    const log = memoryLog();
    const old = log.append(3);
    const group = recordingGroup();
    const streams = createRoomStreams({ reader: log.reader, group, gapWaitMs: 1_000 });
    const stream = await streams.acquire(room);
    assert.equal(stream.position, 3);
    streams.ingest({ type: "log", room: "general", entry: old[1]! });
    const [fourth] = log.append(1);
    streams.ingest({ type: "log", room: "general", entry: fourth! });
    assert.deepEqual(group.seqs, [4]);
    streams.close();
  });

  it("drops rooms nobody follows after the linger, and keeps a re-acquired one", async () => {
    const log = memoryLog();
    const group = recordingGroup();
    const streams = createRoomStreams({ reader: log.reader, group, lingerMs: 20 });
    const first = await streams.acquire(room);
    first.release();
    const again = await streams.acquire(room);
    assert.equal(again, first, "re-acquired within the linger: the same stream");
    again.release();
    await wait(50);
    const reads = log.reads;
    const fresh = await streams.acquire(room);
    assert.notEqual(fresh, first);
    assert.equal(log.reads, reads + 1, "a new stream reads the head again");
    fresh.release();
    streams.close();
  });

  it("answers `since` from its ring only when the ring covers the whole gap", async () => {
    const log = memoryLog();
    const group = recordingGroup();
    const streams = createRoomStreams({ reader: log.reader, group, ringSize: 4 });
    const stream = await streams.acquire(room);
    for (const e of log.append(12)) streams.ingest({ type: "log", room: "general", entry: e });
    assert.deepEqual(stream.since(12), []);
    assert.deepEqual(stream.since(10)?.map((e) => e.seq), [11, 12]);
    assert.equal(stream.since(0), null, "older than the ring");
    assert.equal(stream.since(13), null, "ahead of the stream");
    streams.close();
  });
});

describe("subscription core", () => {
  function sink(kind: Sink["kind"] = "sse") {
    const pages: LogPage[] = [];
    const live: number[] = [];
    const s: Sink & { pages: LogPage[]; live: number[]; seqs(): number[] } = {
      connId: "c1",
      kind,
      pages,
      live,
      alive: () => true,
      page: (p) => void pages.push(p),
      entry: (e: Emission) => void live.push(e.entry.seq),
      seqs() {
        const fromPages = pages.flatMap((p) => (p.events.length ? p.events.map((e) => e.seq) : p.messages.map((m) => m.seq)));
        return [...fromPages, ...live];
      },
    };
    return s;
  }

  it("cuts the last page where the stream is when the database is ahead; the rest comes live", async () => {
    const log = memoryLog();
    log.append(3);
    const streams = createRoomStreams({ reader: log.reader, group: recordingGroup(), gapWaitMs: 1_000 });
    const subs = createSubscriptions({ streams, reader: log.reader });
    const held = await streams.acquire(room); // positioned at 3
    const late = log.append(2); // committed, not yet published
    const s = sink();
    const sub = await subs.open(room, { after: 0 }, s, { pages: "all" });
    assert.equal(sub.live, true);
    assert.deepEqual(s.seqs(), [1, 2, 3], "the page stops at the stream's position");
    assert.equal(s.pages.at(-1)!.next, 3);
    for (const e of late) streams.ingest({ type: "log", room: "general", entry: e });
    assert.deepEqual(s.seqs(), [1, 2, 3, 4, 5]);
    sub.close();
    held.release();
    streams.close();
  });

  it("extends the last page from the ring when the stream is ahead of the read", async () => {
    const log = memoryLog();
    const streams = createRoomStreams({ reader: log.reader, group: recordingGroup() });
    const subs = createSubscriptions({ streams, reader: log.reader });
    await streams.acquire(room);
    const events = log.append(2);
    // The read happens first; then two more commits are published before the page is written.
    const slow: LogReader = {
      ...log.reader,
      async resume(r, after, epoch) {
        const page = await log.reader.resume(r, after, epoch);
        for (const e of events) streams.ingest({ type: "log", room: "general", entry: e });
        for (const e of log.append(2)) streams.ingest({ type: "log", room: "general", entry: e });
        return page;
      },
    };
    const racing = createSubscriptions({ streams, reader: slow });
    const s = sink();
    await racing.open(room, { after: 0 }, s, { pages: "all" });
    assert.deepEqual(s.seqs(), [1, 2, 3, 4]);
    assert.equal(s.pages.at(-1)!.next, 4);
    void subs;
    streams.close();
  });

  it("pages a long absence; one-page transports get `more` and ask again", async () => {
    const log = memoryLog(10);
    log.append(25);
    const streams = createRoomStreams({ reader: log.reader, group: recordingGroup() });
    const subs = createSubscriptions({ streams, reader: log.reader });
    const all = sink();
    const sub = await subs.open(room, { after: 0 }, all, { pages: "all" });
    assert.deepEqual(all.seqs(), range(1, 25));
    assert.equal(sub.live, true);

    const first = sink("ws");
    const partial = await subs.open(room, { after: 0 }, first, { pages: "first" });
    assert.equal(partial.live, false, "not attached until the last page");
    assert.equal(first.pages[0]!.more, true);
    assert.equal(first.pages[0]!.next, 10);
    streams.close();
  });

  it("attaches nothing for a connection that went away during the read", async () => {
    const log = memoryLog();
    log.append(2);
    const streams = createRoomStreams({ reader: log.reader, group: recordingGroup() });
    const subs = createSubscriptions({ streams, reader: log.reader });
    const s = { ...sink(), alive: () => false };
    const sub = await subs.open(room, null, s, { pages: "all" });
    assert.equal(sub.live, false);
    assert.equal(s.pages.length, 0);
    assert.deepEqual(streams.counts(), { sse: 0, longpoll: 0, ws: 0 });
    streams.close();
  });
});
