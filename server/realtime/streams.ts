/**
 * Room streams: one per room that has subscribers on this node. A stream
 * turns whatever the bus delivers into the room's log, in seq order, each
 * event once, nothing skipped:
 *
 * - an event at position + 1 goes out at once;
 * - an event at or below the position is a duplicate and is dropped;
 * - an event further ahead is held, and if the missing ones have not arrived
 *   within GAP_WAIT_MS they are read from the database, then the held ones
 *   follow. On several nodes publish order is not commit order, and a bus
 *   may lose events: the database is the log, the bus only a hint.
 *
 * The position means "everything up to here has gone out". It follows the
 * log's rows rather than the entries shown: a page read from the database
 * skips the rows of messages deleted since (they are replayed only as their
 * deletion), and its `next` says how far it read.
 *
 * A ring of recent entries lets a subscriber that is only a little behind (a
 * reconnect, a join whose database read is a moment old) catch up without
 * another query. An idle stream lingers for a while so that a reconnect
 * storm after a restart finds it warm, then it is dropped: the map holds only
 * rooms that someone here follows.
 */
import type { BusEvent } from "../bus";
import type { LogEntry, LogPage, PresencePayload, TypingPayload } from "../contract";
import type { RoomRecord } from "../services/rooms";
import { logger } from "../log";

const log = logger("streams");

/**
 * How long a gap may stay open before it is filled from the database. Events
 * from another node arrive within a few milliseconds; waiting a little longer
 * than that saves a query per reordering, and a reader never waits more.
 */
export const GAP_WAIT_MS = 150;
/** Back-off between fill attempts while the database does not answer. */
export const FILL_RETRY_MS = 1_000;
/** Recent entries kept per room: a few seconds of a busy room, minutes of a quiet one. */
export const RING_SIZE = 512;
/** An unused stream is kept this long, so reconnects after a blip or a restart find it warm. */
export const LINGER_MS = 60_000;

/** Who receives live entries one connection at a time (SSE, long-poll, /ws). */
export type SinkKind = "sse" | "longpoll" | "ws";

/** One entry going out, shared by every recipient. */
export interface Emission {
  readonly entry: LogEntry;
  /** The stream's position once this entry is out. */
  readonly pos: number;
  /** Encodes the entry once per format for every recipient of that format (one SSE frame for all streams). */
  once<T>(format: string, encode: () => T): T;
}

/** Ephemeral room events: not in the log, no seq, no replay. */
export type EphemeralEvent = { type: "presence"; room: string; payload: PresencePayload } | { type: "typing"; room: string; payload: TypingPayload };

/** A connection that receives live entries one by one. */
export interface LiveSink {
  readonly connId: string;
  readonly kind: SinkKind;
  entry(e: Emission): void;
  ephemeral?(event: EphemeralEvent): void;
}

/**
 * Delivers to a whole room at once: Socket.IO's room channel, which encodes a
 * packet once and writes the same frame to every socket in it.
 */
export interface GroupEmitter {
  entry(room: string, e: Emission): void;
  ephemeral(room: string, event: EphemeralEvent): void;
  /** Connection ids in the room's group (delivery accounting). */
  members(room: string): Iterable<string>;
}

/** What a stream reads from the log: the messages service. */
export interface LogReader {
  head(room: RoomRecord): Promise<number>;
  latest(room: RoomRecord): Promise<LogPage>;
  resume(room: RoomRecord, after: number, epoch?: string): Promise<LogPage>;
}

export interface RoomStream {
  readonly room: RoomRecord;
  /** Everything up to this seq has gone out. */
  readonly position: number;
  /** The entries after `pos`, if the ring still holds all of them; null when it does not. */
  since(pos: number): LogEntry[] | null;
  /** Receives every entry after the current position, in order. Returns the detach function. */
  attach(sink: LiveSink): () => void;
  /** The log is known to have reached `seq`: if the stream has not got there within the wait, fill from the database. */
  expect(seq: number): void;
  /** Gives back what acquire() took. */
  release(): void;
}

export interface RoomStreams {
  /** The room's stream, ready (positioned at the log's head or later). Call release() when done. */
  acquire(room: RoomRecord): Promise<RoomStream>;
  /** A room-log event from the bus. */
  ingest(event: Extract<BusEvent, { type: "log" }>): void;
  /** A presence delta or a typing state for the room's followers here. */
  ephemeral(event: EphemeralEvent): void;
  /** Re-reads every stream's head: after a bus outage, events published meanwhile may be lost. */
  recheck(): void;
  /** Live sinks by kind (the operations view). */
  counts(): Record<SinkKind, number>;
  /** Sinks of one room by kind. */
  roomCounts(room: string): Record<SinkKind, number>;
  close(): void;
}

export interface StreamDeps {
  reader: LogReader;
  group: GroupEmitter;
  /** A broadcast went out to these connections here (delivery accounting). */
  delivered?(broadcastId: string, connIds: Iterable<string>): void;
  ringSize?: number;
  gapWaitMs?: number;
  lingerMs?: number;
}

function emission(entry: LogEntry, pos: number): Emission {
  let cache: Map<string, unknown> | undefined;
  return {
    entry,
    pos,
    once<T>(format: string, encode: () => T): T {
      cache ??= new Map();
      if (!cache.has(format)) cache.set(format, encode());
      return cache.get(format) as T;
    },
  };
}

const zero = (): Record<SinkKind, number> => ({ sse: 0, longpoll: 0, ws: 0 });

interface StreamImpl extends RoomStream {
  ingest(entry: LogEntry): void;
  ephemeral(event: EphemeralEvent): void;
  init(): Promise<void>;
  ready: Promise<void>;
  refs: number;
  sinks: Set<LiveSink>;
  /** Cancels a pending linger (the stream is wanted again). */
  keep(): void;
  stop(): void;
}

export function createRoomStreams(deps: StreamDeps): RoomStreams {
  const ringSize = deps.ringSize ?? RING_SIZE;
  const gapWaitMs = deps.gapWaitMs ?? GAP_WAIT_MS;
  const lingerMs = deps.lingerMs ?? LINGER_MS;
  const streams = new Map<string, StreamImpl>();
  let closed = false;

  function createStream(room: RoomRecord): StreamImpl {
    let position = 0;
    /** The highest seq known to be in the log (from a live event or a read). */
    let known = 0;
    let started = false;
    const early: LogEntry[] = [];
    const held = new Map<number, LogEntry>();
    // The ring: ring[i].pos ascending; `base` is the position before ring[0].
    let ring: Emission[] = [];
    let base = 0;
    let gapTimer: ReturnType<typeof setTimeout> | undefined;
    let lingerTimer: ReturnType<typeof setTimeout> | undefined;
    let filling = false;
    let stopped = false;
    const sinks = new Set<LiveSink>();

    function emit(entry: LogEntry) {
      const e = emission(entry, entry.seq);
      position = entry.seq;
      ring.push(e);
      if (ring.length > ringSize * 2) {
        // Trim in batches: one splice per ringSize emissions instead of a shift each.
        const cut = ring.length - ringSize;
        base = ring[cut - 1]!.pos;
        ring = ring.slice(cut);
      }
      try {
        deps.group.entry(room.slug, e);
      } catch (err) {
        log.error({ err, room: room.slug }, "group delivery failed");
      }
      for (const sink of sinks) {
        try {
          sink.entry(e);
        } catch (err) {
          log.error({ err, room: room.slug, kind: sink.kind }, "delivery failed");
        }
      }
      if (entry.type === "broadcast" && deps.delivered) {
        const ids = new Set(deps.group.members(room.slug));
        for (const sink of sinks) ids.add(sink.connId);
        deps.delivered(entry.broadcast.id, ids);
      }
    }

    /** Sends the held entries that have become contiguous; fills if a gap remains. */
    function drain() {
      for (const seq of held.keys()) if (seq <= position) held.delete(seq);
      for (let next = held.get(position + 1); next; next = held.get(position + 1)) {
        held.delete(next.seq);
        emit(next);
      }
      if (known > position) scheduleFill(gapWaitMs);
      else if (gapTimer) {
        clearTimeout(gapTimer);
        gapTimer = undefined;
      }
    }

    function scheduleFill(delay: number) {
      if (gapTimer || filling || stopped) return;
      gapTimer = setTimeout(() => {
        gapTimer = undefined;
        void fill();
      }, delay);
      gapTimer.unref?.();
    }

    /** Reads the log from the position up to its head and sends what this stream has not. */
    async function fill() {
      if (filling || stopped) return;
      filling = true;
      let failed = false;
      try {
        for (;;) {
          const page = await deps.reader.resume(room, position);
          if (stopped) return;
          for (const entry of page.events) if (entry.seq > position) emit(entry);
          // Rows read but not shown (messages deleted since) still move the position.
          position = Math.max(position, page.next);
          known = Math.max(known, page.head);
          if (!page.more) break;
        }
      } catch (err) {
        failed = true;
        log.warn({ err, room: room.slug }, "filling from the log failed; retrying");
      } finally {
        filling = false;
      }
      if (failed) scheduleFill(FILL_RETRY_MS);
      // A live event may claim a seq committed after the read: fill again after the wait.
      else drain();
    }

    const stream: StreamImpl = {
      room,
      get position() {
        return position;
      },
      refs: 0,
      sinks,
      ready: Promise.resolve(),
      async init() {
        const head = await deps.reader.head(room);
        position = head;
        known = head;
        base = head;
        started = true;
        for (const entry of early.splice(0)) stream.ingest(entry);
      },
      ingest(entry) {
        if (stopped) return;
        if (!started) return void early.push(entry);
        if (entry.seq <= position) return; // a duplicate, or already read from the log
        known = Math.max(known, entry.seq);
        if (entry.seq === position + 1) {
          emit(entry);
          drain();
          return;
        }
        held.set(entry.seq, entry);
        scheduleFill(gapWaitMs);
      },
      ephemeral(event) {
        try {
          deps.group.ephemeral(room.slug, event);
        } catch (err) {
          log.error({ err, room: room.slug }, "group delivery failed");
        }
        for (const sink of sinks) {
          try {
            sink.ephemeral?.(event);
          } catch (err) {
            log.error({ err, room: room.slug, kind: sink.kind }, "delivery failed");
          }
        }
      },
      since(pos) {
        if (pos < base || pos > position) return null;
        const out: LogEntry[] = [];
        for (const e of ring) if (e.pos > pos) out.push(e.entry);
        return out;
      },
      attach(sink) {
        sinks.add(sink);
        return () => sinks.delete(sink);
      },
      expect(seq) {
        if (!started || stopped || seq <= known) return;
        known = seq;
        if (known > position) scheduleFill(gapWaitMs);
      },
      release() {
        stream.refs -= 1;
        if (stream.refs > 0 || stopped) return;
        clearTimeout(lingerTimer);
        lingerTimer = setTimeout(() => {
          if (stream.refs === 0 && streams.get(room.slug) === stream) {
            stream.stop();
            streams.delete(room.slug);
          }
        }, lingerMs);
        lingerTimer.unref?.();
      },
      keep() {
        clearTimeout(lingerTimer);
        lingerTimer = undefined;
      },
      stop() {
        stopped = true;
        clearTimeout(gapTimer);
        clearTimeout(lingerTimer);
        sinks.clear();
        held.clear();
        ring = [];
      },
    };
    return stream;
  }

  return {
    async acquire(room) {
      if (closed) throw new Error("streams are closed");
      let stream = streams.get(room.slug);
      if (!stream) {
        stream = createStream(room);
        streams.set(room.slug, stream);
        const s = stream;
        // Subscribed (in the map) before the head is read: nothing committed in between is missed.
        s.ready = s.init().catch((err) => {
          if (streams.get(room.slug) === s) streams.delete(room.slug);
          s.stop();
          throw err;
        });
      }
      stream.refs += 1;
      stream.keep();
      try {
        await stream.ready;
      } catch (err) {
        stream.refs -= 1;
        throw err;
      }
      return stream;
    },
    ingest(event) {
      // Nobody here follows that room: nothing to do.
      streams.get(event.room)?.ingest(event.entry);
    },
    ephemeral(event) {
      streams.get(event.room)?.ephemeral(event);
    },
    recheck() {
      for (const stream of streams.values()) {
        deps.reader.head(stream.room).then(
          (head) => stream.expect(head),
          (err) => log.warn({ err, room: stream.room.slug }, "re-reading the head failed"),
        );
      }
    },
    counts() {
      const out = zero();
      for (const stream of streams.values()) for (const sink of stream.sinks) out[sink.kind] += 1;
      return out;
    },
    roomCounts(room) {
      const out = zero();
      for (const sink of streams.get(room)?.sinks ?? []) out[sink.kind] += 1;
      return out;
    },
    close() {
      closed = true;
      for (const stream of streams.values()) stream.stop();
      streams.clear();
    },
  };
}
