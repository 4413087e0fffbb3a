/**
 * Local fan-out: the one subscriber of the bus. Room events go to this node's
 * room streams, which put them in order and deliver them on every transport
 * (Socket.IO channels, SSE, long-poll, /ws); withdrawn credentials go to the
 * connection registry, which closes what depended on them. Services never
 * emit; they publish, and this is where events turn into traffic.
 */
import type { Bus } from "./bus";
import type { Connections } from "./realtime/connections";
import type { RoomStreams } from "./realtime/streams";

export function startFanout(bus: Bus, streams: RoomStreams, connections: Connections): () => void {
  const unsubscribe = bus.subscribe((event) => {
    if (event.type === "revoke") connections.revoke(event.scope, event.reason);
    else streams.ingest(event);
  });
  // Events published while the bus was cut off may be lost: the log has them.
  const unrecover = bus.onRecover(() => streams.recheck());
  return () => {
    unsubscribe();
    unrecover();
  };
}
