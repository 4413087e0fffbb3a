/**
 * The room-subscription core: the one place where a connection goes from
 * "replaying the log" to "live", for every transport (Socket.IO, /ws, SSE and
 * long-poll). Given a room, a cursor and a sink, it
 *
 * 1. takes the room's stream first (subscribed to the bus before anything is
 *    read, so nothing committed meanwhile can slip between read and live);
 * 2. replays the log from the cursor, page by page;
 * 3. then, in one synchronous step, squares the last page with the stream's
 *    position (cut it there when the database is ahead of the stream, extend
 *    it from the stream's ring when the stream is ahead), writes it, and
 *    attaches the sink. Entries up to that position were in the pages, entries
 *    after it come live: each exactly once, in seq order.
 *
 * The edges only frame bytes. A sink that cannot take live entries one by one
 * (Socket.IO's room channel, which encodes once for every socket) joins its
 * group in that same synchronous step instead.
 */
import type { LogEntry, LogPage, Message } from "../contract";
import type { RoomRecord } from "../services/rooms";
import type { Emission, EphemeralEvent, LogReader, RoomStream, RoomStreams, SinkKind } from "./streams";

export interface Cursor {
  after: number;
  epoch?: string;
}

export interface Sink {
  readonly connId: string;
  readonly kind: SinkKind | "socketio";
  /** False once the connection is gone: a subscription that completes after that attaches nothing. */
  alive(): boolean;
  /**
   * Writes one page of the log, synchronously. The last page a subscription
   * writes (`more: false`) ends exactly where live delivery starts.
   */
  page(page: LogPage): void;
  /** Live entries after the last page, one connection at a time. */
  entry?(e: Emission): void;
  ephemeral?(event: EphemeralEvent): void;
  /** Group transports: join the room's group (synchronously) instead of taking entries one by one. Returns leave. */
  join?(): () => void;
}

export interface Subscription {
  /** True when the sink is attached (it wrote the last page); false when the client must ask for the next page. */
  readonly live: boolean;
  close(): void;
}

export interface SubscribeOptions {
  /**
   * "all": write every page, then attach (SSE). "first": write one page; when
   * it has `more: true` the client asks again from its `next` (request/reply
   * transports, whose join answer carries one page).
   */
  pages: "all" | "first";
}

const asEntry = (m: Message): LogEntry => ({ type: "message", seq: m.seq, message: m });
const messagesOf = (events: LogEntry[]) => events.flatMap((e) => (e.type === "message" ? [e.message] : []));

/** The page, cut at `pos`: what lies after it will come live. */
function cut(page: LogPage, pos: number): LogPage {
  return {
    ...page,
    events: page.events.filter((e) => e.seq <= pos),
    messages: page.messages.filter((m) => m.seq <= pos),
    head: pos,
    next: pos,
  };
}

/** The page, extended by entries the stream already sent after it. */
function extend(page: LogPage, tail: LogEntry[], pos: number): LogPage {
  if (tail.length === 0) return { ...page, head: pos, next: pos };
  // A newest page lists only messages; once it carries other events it lists everything as events.
  const events = page.events.length ? page.events : page.messages.map(asEntry);
  return { ...page, events: [...events, ...tail], messages: [...page.messages, ...messagesOf(tail)], head: pos, next: pos };
}

export interface Subscriptions {
  open(room: RoomRecord, cursor: Cursor | null, sink: Sink, options: SubscribeOptions): Promise<Subscription>;
}

const closed: Subscription = { live: false, close() {} };

export function createSubscriptions(deps: { streams: RoomStreams; reader: LogReader }): Subscriptions {
  const { streams, reader } = deps;

  function attach(stream: RoomStream, sink: Sink): Subscription {
    let leave: () => void;
    if (sink.join) leave = sink.join();
    else if (sink.entry) {
      const entry = sink.entry.bind(sink);
      const ephemeral = sink.ephemeral?.bind(sink);
      leave = stream.attach({ connId: sink.connId, kind: sink.kind as SinkKind, entry, ephemeral });
    } else throw new Error("a sink takes entries or joins a group");
    let done = false;
    return {
      live: true,
      close() {
        if (done) return;
        done = true;
        leave();
        stream.release();
      },
    };
  }

  return {
    async open(room, cursor, sink, { pages }) {
      const stream = await streams.acquire(room);
      let released = false;
      const release = () => {
        if (!released) (released = true), stream.release();
      };
      try {
        let page = cursor ? await reader.resume(room, cursor.after, cursor.epoch) : await reader.latest(room);
        for (;;) {
          if (!sink.alive()) return release(), closed;
          // From here to attach() nothing awaits: no entry can go out in between.
          let settled: LogPage | null = null;
          if (!page.more) {
            const pos = stream.position;
            if (page.next > pos) {
              settled = cut(page, pos);
              // The database is ahead of this node's stream: make sure the stream gets there.
              stream.expect(page.next);
            } else {
              const tail = stream.since(page.next);
              if (tail) settled = extend(page, tail, pos);
            }
          }
          if (settled) {
            sink.page(settled);
            return attach(stream, sink);
          }
          // More to read first: the page goes out as it is, the rest follows.
          const partial = page.more ? page : { ...page, more: true };
          sink.page(partial);
          if (pages === "first") return release(), closed;
          page = await reader.resume(room, partial.next);
        }
      } catch (err) {
        release();
        throw err;
      }
    },
  };
}
