"use client";
/** Adds a registered user to a private room by username. */
import { useState, type FormEvent } from "react";
import { useTranslations } from "next-intl";
import { api, ApiError } from "@/components/lib/api";
import { useErrorText } from "@/components/lib/errors";
import { usePanel } from "@/components/ui/usePanel";

export function InviteForm({ slug, onClose }: { slug: string; onClose: () => void }) {
  const t = useTranslations("invite");
  const errorText = useErrorText();
  const panel = usePanel<HTMLFormElement>(onClose);
  const [username, setUsername] = useState("");
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    try {
      const { member } = await api<{ member: { name: string } }>(`/api/rooms/${encodeURIComponent(slug)}/members`, {
        method: "POST",
        body: { username },
      });
      setResult({ ok: true, text: t("done", { name: member.name }) });
      setUsername("");
    } catch (err) {
      const text = err instanceof ApiError && err.code === "not_found" ? t("notFound", { name: username.trim() }) : errorText(err);
      setResult({ ok: false, text });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form ref={panel} onSubmit={submit} aria-label={t("label")} className="flex flex-wrap items-center gap-2 border-b border-slate-200 bg-slate-50 px-3 py-2 sm:px-5 dark:border-slate-800 dark:bg-slate-900/60">
      <label htmlFor="invite-username" className="text-sm font-medium">
        {t("label")}
      </label>
      <input
        id="invite-username"
        value={username}
        onChange={(e) => setUsername(e.target.value)}
        required
        aria-describedby="invite-hint"
        className="min-w-0 flex-1 rounded-md border border-slate-300 bg-white px-2 py-1 text-sm dark:border-slate-700 dark:bg-slate-950"
      />
      <button type="submit" disabled={busy || !username.trim()} className="rounded-md bg-indigo-600 px-3 py-1 text-sm font-medium text-white hover:bg-indigo-500 disabled:opacity-50">
        {t("submit")}
      </button>
      <button type="button" onClick={onClose} className="rounded-md px-2 py-1 text-sm hover:bg-slate-200 dark:hover:bg-slate-800">
        {t("close")}
      </button>
      <p id="invite-hint" className="w-full text-xs text-slate-500 dark:text-slate-400">
        {t("hint")}
      </p>
      {result ? (
        <p role={result.ok ? "status" : "alert"} className={`w-full text-sm ${result.ok ? "text-emerald-700 dark:text-emerald-400" : "text-red-600 dark:text-red-400"}`}>
          {result.text}
        </p>
      ) : null}
    </form>
  );
}
