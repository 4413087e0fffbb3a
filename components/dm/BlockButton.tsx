"use client";
/** In a DM's header: block or unblock the other person (GET/POST/DELETE /api/blocks). */
import { useEffect, useState } from "react";
import { useTranslations } from "next-intl";
import { api } from "@/components/lib/api";
import { useErrorText } from "@/components/lib/errors";

export function BlockButton({ peer }: { peer: { id: string; name: string } }) {
  const t = useTranslations("dm");
  const errorText = useErrorText();
  const [blocked, setBlocked] = useState<boolean | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    api<{ blocks: { id: string }[] }>("/api/blocks")
      .then((r) => live && setBlocked(r.blocks.some((b) => b.id === peer.id)))
      .catch(() => live && setBlocked(false));
    return () => {
      live = false;
    };
  }, [peer.id]);

  const toggle = async () => {
    if (!blocked && !window.confirm(t("confirmBlock", { name: peer.name }))) return;
    setBusy(true);
    setError(null);
    try {
      if (blocked) await api(`/api/blocks/${encodeURIComponent(peer.id)}`, { method: "DELETE" });
      else await api("/api/blocks", { method: "POST", body: { userId: peer.id } });
      setBlocked(!blocked);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  if (blocked === null) return null;
  return (
    <button
      type="button"
      onClick={() => void toggle()}
      disabled={busy}
      aria-pressed={blocked}
      title={error ?? undefined}
      data-testid="dm-block"
      className={`shrink-0 whitespace-nowrap rounded-md border px-2 py-1 text-xs font-medium disabled:opacity-50 ${
        blocked
          ? "border-red-300 bg-red-50 text-red-700 dark:border-red-800 dark:bg-red-950 dark:text-red-300"
          : "border-slate-200 dark:border-slate-700"
      }`}
    >
      {blocked ? t("unblock") : t("block")}
    </button>
  );
}
