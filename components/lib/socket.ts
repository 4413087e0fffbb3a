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

/**
 * Reconnect backoff, jittered: after a restart, clients spread out instead of
 * reconnecting in one storm.
 */
const RECONNECT_MIN_MS = 500;
const RECONNECT_MAX_MS = 10_000;
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
      reconnectionDelay: RECONNECT_MIN_MS,
      reconnectionDelayMax: RECONNECT_MAX_MS,
      randomizationFactor: 0.5,
    });
    // Socket.IO does not reconnect after a disconnect the server sent. Ours
    // sends one only when the session was withdrawn (a `revoked` event comes
    // first: then the page says so and stays offline); after anything else,
    // try again with backoff, as after a lost connection.
    let revoked = false;
    let attempt = 0;
    socket.on("revoked", (p) => {
      if (p.room === undefined) revoked = true;
    });
    socket.on("connect", () => (attempt = 0));
    socket.on("disconnect", (reason) => {
      if (reason !== "io server disconnect" || revoked) return;
      const delay = Math.min(RECONNECT_MAX_MS, RECONNECT_MIN_MS * 2 ** attempt++) * (0.5 + Math.random());
      setTimeout(() => {
        if (!socket.connected && !revoked) socket.connect();
      }, delay);
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
