"use client";
import { useTranslations } from "next-intl";
import type { ConnectionStatus } from "@/components/chat/useConnection";

const DOT: Record<ConnectionStatus["state"], string> = {
  connected: "bg-emerald-500",
  connecting: "bg-amber-400 animate-pulse",
  reconnecting: "bg-amber-400 animate-pulse",
  offline: "bg-red-500",
};

export function ConnectionBadge({ status }: { status: ConnectionStatus }) {
  const t = useTranslations("connection");
  const transport = status.transport === "polling" ? t("polling") : t("websocket");
  const label = status.state === "connected" ? t("connected", { transport }) : t(status.state);
  // Narrow screens: the transport alone (or the state), so the room name keeps its room.
  const short = status.state === "connected" ? transport : t(status.state);
  return (
    <span
      role="status"
      data-testid="connection"
      data-state={status.state}
      data-transport={status.transport ?? ""}
      className="inline-flex shrink-0 items-center whitespace-nowrap gap-1.5 rounded-full border border-slate-200 px-2.5 py-1 text-xs font-medium text-slate-600 dark:border-slate-700 dark:text-slate-300"
    >
      <span className={`h-2 w-2 rounded-full ${DOT[status.state]}`} aria-hidden="true" />
      <span className="hidden sm:inline">{label}</span>
      <span className="sm:hidden">{short}</span>
    </span>
  );
}
