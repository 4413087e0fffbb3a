/**
 * What a room join answers, whatever the transport: the room's summary, its
 * active broadcasts, the joiner's read position and whether they may post,
 * around each page of the log the subscription core hands over. Socket.IO
 * and /ws call this one service, so their join answers cannot drift apart.
 */
import type { JoinResult, LogPage } from "../contract";
import type { Actor } from "./actor";
import type { BroadcastService } from "./broadcasts";
import type { PresenceService } from "./presence";
import type { ReadService } from "./reads";
import type { RoomRecord, RoomService } from "./rooms";

export interface JoinService {
  /**
   * Gathers the join answer for an authorized room once; the function it
   * returns wraps each page, with presence as it is when that page goes out.
   */
  prepare(actor: Actor, room: RoomRecord): Promise<(page: LogPage) => JoinResult>;
}

export function createJoinService(deps: {
  rooms: Pick<RoomService, "summarize">;
  broadcasts: Pick<BroadcastService, "active">;
  reads: Pick<ReadService, "state" | "posting">;
  presence: Pick<PresenceService, "listing">;
}): JoinService {
  const { rooms, broadcasts, reads, presence } = deps;
  return {
    async prepare(actor, room) {
      const [summary, active, read, posting] = await Promise.all([
        rooms.summarize(room, actor),
        broadcasts.active(room.id),
        reads.state(actor, room),
        reads.posting(actor, room),
      ]);
      return (page) => {
        // Presence as it is when this page goes out (the joiner is in it).
        const { online, count } = presence.listing(room.slug, actor.id);
        return {
          ...page,
          room: summary,
          online,
          onlineCount: count,
          broadcasts: active,
          serverTime: new Date().toISOString(),
          lastReadSeq: read.lastReadSeq,
          posting,
        };
      };
    },
  };
}
