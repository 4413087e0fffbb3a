/**
 * Local fan-out: delivers bus events to this node's Socket.IO rooms and to the
 * hub (SSE streams, long-poll waiters, native WebSocket connections). Services
 * never emit; they publish, and this is the only place that turns events into
 * traffic, so every transport sees the same events.
 */
import type { Bus } from "./bus";
import type { Hub } from "./hub";
import type { BroadcastService } from "./services/broadcasts";
import type { ChatServer } from "./socket";
import { roomChannel, userChannel } from "./socket/handlers";

export function startFanout(bus: Bus, io: ChatServer, hub: Hub, broadcasts: BroadcastService): () => void {
  return bus.subscribe((event) => {
    if (event.type === "user:banned") {
      // A ban closes every connection of the user on this node, on every transport.
      io.in(userChannel(event.userId)).disconnectSockets(true);
      hub.kick(event.userId);
      return;
    }
    hub.deliver(event);
    switch (event.type) {
      case "message:new":
        io.to(roomChannel(event.room)).emit("message:new", event.message);
        break;
      case "message:updated":
        io.to(roomChannel(event.room)).emit("message:updated", event.payload);
        break;
      case "message:deleted":
        io.to(roomChannel(event.room)).emit("message:deleted", event.payload);
        break;
      case "broadcast": {
        const channel = roomChannel(event.room);
        io.to(channel).emit("broadcast", event.broadcast);
        // Delivery accounting: the connections it went out to, here and now.
        const sockets = io.sockets.adapter.rooms.get(channel)?.size ?? 0;
        const streams = hub.roomCounts(event.room).sse;
        void broadcasts.addRecipients(event.broadcast.id, sockets + streams);
        break;
      }
      case "broadcast:retracted":
        io.to(roomChannel(event.room)).emit("broadcast:retracted", { id: event.id });
        break;
      case "presence":
        io.to(roomChannel(event.room)).emit("presence", event.payload);
        break;
      case "typing":
        // Not back to the typist's own tabs.
        io.to(roomChannel(event.room)).except(userChannel(event.payload.user.id)).emit("typing", event.payload);
        break;
    }
  });
}
