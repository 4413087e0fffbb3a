"use client";
/** Connection status of the page's socket: state plus the transport in use. */
import { useEffect, useState } from "react";
import { getSocket } from "@/components/lib/socket";

export type ConnectionState = "connecting" | "connected" | "reconnecting" | "offline";
export interface ConnectionStatus {
  state: ConnectionState;
  transport: "websocket" | "polling" | null;
}

export function useConnection(): ConnectionStatus {
  const [status, setStatus] = useState<ConnectionStatus>({ state: "connecting", transport: null });

  useEffect(() => {
    const socket = getSocket();
    const transportName = () => (socket.io.engine?.transport?.name as ConnectionStatus["transport"]) ?? null;
    const update = () => {
      if (typeof navigator !== "undefined" && !navigator.onLine) return setStatus({ state: "offline", transport: null });
      if (socket.connected) return setStatus({ state: "connected", transport: transportName() });
      setStatus({ state: socket.active ? "reconnecting" : "offline", transport: null });
    };
    const onConnect = () => {
      update();
      // Polling may upgrade to WebSocket shortly after connecting.
      socket.io.engine.once("upgrade", update);
    };
    socket.on("connect", onConnect);
    socket.on("disconnect", update);
    socket.on("connect_error", update);
    window.addEventListener("online", update);
    window.addEventListener("offline", update);
    if (socket.connected) onConnect();
    return () => {
      socket.off("connect", onConnect);
      socket.off("disconnect", update);
      socket.off("connect_error", update);
      socket.io.engine?.off("upgrade", update);
      window.removeEventListener("online", update);
      window.removeEventListener("offline", update);
    };
  }, []);

  return status;
}
