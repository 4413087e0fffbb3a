"use client";
/**
 * The page's one Socket.IO connection. Created lazily, once per page, and kept
 * on globalThis so React StrictMode's double effects and hot reloads reuse it
 * instead of opening a second connection with duplicate listeners.
 */
import { io, type Socket } from "socket.io-client";
import type { ClientToServerEvents, ServerToClientEvents } from "@/server/contract";

export type ChatClient = Socket<ServerToClientEvents, ClientToServerEvents>;

const KEY = Symbol.for("relay-chat.socket");
type Registry = { [KEY]?: ChatClient };

/** `?transport=polling` on any page forces HTTP long-polling, for diagnosis. */
function forcedPolling(): boolean {
  return new URLSearchParams(window.location.search).get("transport") === "polling";
}

export function getSocket(): ChatClient {
  const registry = globalThis as Registry;
  if (!registry[KEY]) {
    const socket: ChatClient = io({
      // Connect over long-polling, then upgrade to WebSocket as soon as a
      // probe succeeds. A proxy that blocks WebSocket (refusing the upgrade,
      // or accepting and then dropping it) only fails the probe, and the chat
      // carries on over polling.
      transports: forcedPolling() ? ["polling"] : ["polling", "websocket"],
      upgrade: true,
      withCredentials: true,
      // Jittered exponential backoff: after a restart, clients spread out
      // instead of reconnecting in one storm.
      reconnectionDelay: 500,
      reconnectionDelayMax: 10_000,
      randomizationFactor: 0.5,
    });
    registry[KEY] = socket;
  }
  return registry[KEY]!;
}

/** Closes the connection (sign-out). The next getSocket() opens a fresh one. */
export function closeSocket(): void {
  const registry = globalThis as Registry;
  registry[KEY]?.close();
  delete registry[KEY];
}
