"use client";
/**
 * The connection in plain words ("Connected", "Reconnecting…", "Offline").
 * How it is connected (WebSocket or HTTP polling) is a detail for the curious:
 * it sits in a tooltip, shown on hover and on keyboard focus, and the badge
 * itself links to /diagnostics, which says everything.
 */
import Link from "next/link";
import { useId } from "react";
import { useTranslations } from "next-intl";
import type { ConnectionStatus } from "@/components/chat/useConnection";

const DOT: Record<ConnectionStatus["state"], string> = {
  connected: "bg-emerald-500",
  connecting: "bg-amber-400 motion-safe:animate-pulse",
  reconnecting: "bg-amber-400 motion-safe:animate-pulse",
  offline: "bg-red-500",
};

export function ConnectionBadge({ status }: { status: ConnectionStatus }) {
  const t = useTranslations("connection");
  const tipId = useId();
  const transport = status.transport === "polling" ? t("polling") : status.transport === "websocket" ? t("websocket") : null;
  const detail = status.state === "connected" && transport ? t("via", { transport }) : t(`${status.state}Detail`);
  return (
    <span className="group relative inline-flex shrink-0">
      <Link
        href="/diagnostics"
        aria-describedby={tipId}
        data-testid="connection"
        data-state={status.state}
        data-transport={status.transport ?? ""}
        className="inline-flex items-center gap-1.5 whitespace-nowrap rounded-full border border-slate-300 px-2.5 py-1 text-xs font-medium text-slate-700 hover:bg-slate-100 dark:border-slate-600 dark:text-slate-200 dark:hover:bg-slate-800"
      >
        <span className={`h-2 w-2 rounded-full ${DOT[status.state]}`} aria-hidden="true" />
        <span role="status">{t(status.state)}</span>
      </Link>
      <span
        id={tipId}
        role="tooltip"
        className="pointer-events-none invisible absolute top-full right-0 z-30 mt-1 w-max max-w-60 rounded-md bg-slate-900 px-2 py-1 text-xs text-white opacity-0 shadow group-focus-within:visible group-focus-within:opacity-100 group-hover:visible group-hover:opacity-100 motion-safe:transition-opacity dark:bg-slate-100 dark:text-slate-900"
      >
        {detail} {t("openDiagnostics")}
      </span>
    </span>
  );
}
