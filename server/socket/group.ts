/**
 * Socket.IO's side of the room streams: a room's live entries go to its
 * channel with one `io.to(channel).emit`, which encodes the packet once and
 * writes the same frame to every socket in it. A socket is in a room's
 * channel only once it has caught up with the log (server/realtime/
 * subscription.ts puts it there), so the channel never needs filtering.
 */
import type { ChatServer } from ".";
import { roomChannel, userChannel } from "../realtime/channels";
import type { GroupEmitter } from "../realtime/streams";

export function socketGroup(io: ChatServer): GroupEmitter {
  return {
    entry(room, { entry }) {
      const channel = io.to(roomChannel(room));
      switch (entry.type) {
        case "message":
          return void channel.emit("message:new", entry.message);
        case "message:updated":
          return void channel.emit("message:updated", { room, id: entry.message.id, seq: entry.seq, message: entry.message });
        case "message:deleted":
          return void channel.emit("message:deleted", { room, id: entry.id, seq: entry.seq });
        case "message:reactions":
          return void channel.emit("message:reactions", { room, id: entry.id, seq: entry.seq, reactions: entry.reactions });
        case "broadcast":
          return void channel.emit("broadcast", { room, seq: entry.seq, broadcast: entry.broadcast });
        case "broadcast:retracted":
          return void channel.emit("broadcast:retracted", { room, seq: entry.seq, id: entry.id });
      }
    },
    ephemeral(room, event) {
      if (event.type === "presence") io.to(roomChannel(room)).emit("presence", event.payload);
      // Not back to the typist's own tabs.
      else io.to(roomChannel(room)).except(userChannel(event.payload.user.id)).emit("typing", event.payload);
    },
    members(room) {
      return io.sockets.adapter.rooms.get(roomChannel(room)) ?? [];
    },
  };
}
