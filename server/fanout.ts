/**
 * Local fan-out: the one subscriber of the bus. Room events go to this node's
 * room streams, which put them in order and deliver them on every transport
 * (Socket.IO channels, SSE, long-poll, /ws); presence changes go to the
 * cluster-wide presence view; withdrawn credentials go to the connection
 * registry, which closes what depended on them. Services never
 * emit; they publish, and this is where events turn into traffic.
 */
import type { Bus } from "./bus";
import type { LogEntry } from "./contract";
import type { Connections } from "./realtime/connections";
import type { RoomStreams } from "./realtime/streams";
import type { PresenceService } from "./services/presence";

export function startFanout(deps: {
  bus: Bus;
  streams: RoomStreams;
  connections: Connections;
  presence: PresenceService;
  /** A room-log event, as activity for the sockets watching the room (unread counts). */
  activity?: (room: string, entry: LogEntry) => void;
}): () => void {
  const { bus, streams, connections, presence, activity } = deps;
  const unsubscribe = bus.subscribe((event) => {
    switch (event.type) {
      case "log":
        activity?.(event.room, event.entry);
        return streams.ingest(event);
      case "typing":
        return streams.ephemeral(event);
      case "presence":
        // Into the cluster view; the clients' deltas come out of it, coalesced.
        return presence.ingest(event);
      case "revoke":
        return void connections.revoke(event.scope, event.reason);
      case "user":
        return void connections.notifyUser(event.userId, event.event);
    }
  });
  // Events published while the bus was cut off may be lost: the log has them.
  const unrecover = bus.onRecover(() => streams.recheck());
  return () => {
    unsubscribe();
    unrecover();
  };
}
