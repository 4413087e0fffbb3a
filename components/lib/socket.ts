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
    registry[KEY] = io({
      // WebSocket first; Socket.IO falls back to long-polling by itself when
      // the WebSocket cannot be opened.
      transports: forcedPolling() ? ["polling"] : ["websocket", "polling"],
      tryAllTransports: true,
      withCredentials: true,
      // Jittered exponential backoff: after a restart, clients spread out
      // instead of reconnecting in one storm.
      reconnectionDelay: 500,
      reconnectionDelayMax: 10_000,
      randomizationFactor: 0.5,
    });
  }
  return registry[KEY]!;
}

/** Closes the connection (sign-out). The next getSocket() opens a fresh one. */
export function closeSocket(): void {
  const registry = globalThis as Registry;
  registry[KEY]?.close();
  delete registry[KEY];
}
