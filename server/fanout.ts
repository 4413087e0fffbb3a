/**
 * Local fan-out: delivers bus events to this node's Socket.IO rooms and to the
 * hub (SSE streams, long-poll waiters, native WebSocket connections). Services
 * never emit; they publish, and this is the only place that turns events into
 * traffic, so every transport sees the same events.
 */
import type { Bus } from "./bus";
import type { Hub } from "./hub";
import type { ChatServer } from "./socket";
import { roomChannel, userChannel } from "./socket/handlers";

export function startFanout(bus: Bus, io: ChatServer, hub: Hub): () => void {
  return bus.subscribe((event) => {
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
