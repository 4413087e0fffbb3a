"use client";
/**
 * "Report message": the one way a DM reaches a moderator. The report, with a
 * copy of the text, goes to the audit log that /admin shows.
 */
import { useId, useState, type FormEvent } from "react";
import { useTranslations } from "next-intl";
import type { Message } from "@/server/contract";
import { api } from "@/components/lib/api";
import { useErrorText } from "@/components/lib/errors";

export function ReportButton({ message }: { message: Message }) {
  const t = useTranslations("dm");
  const errorText = useErrorText();
  const id = useId();
  const [mode, setMode] = useState<"idle" | "open" | "done">("idle");
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api(`/api/rooms/${encodeURIComponent(message.room)}/messages/${encodeURIComponent(message.id)}/report`, {
        method: "POST",
        body: reason.trim() ? { reason: reason.trim() } : {},
      });
      setMode("done");
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  if (mode === "done") {
    return (
      <p role="status" className="mt-1 text-xs text-emerald-700 dark:text-emerald-400">
        {t("reported")}
      </p>
    );
  }
  if (mode === "open") {
    return (
      <form onSubmit={submit} className="mt-1 flex flex-wrap items-center gap-2 text-xs" aria-label={t("report")}>
        <label htmlFor={`${id}-reason`} className="sr-only">
          {t("reason")}
        </label>
        <input
          id={`${id}-reason`}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          maxLength={500}
          autoFocus
          placeholder={t("reasonPlaceholder")}
          className="min-w-0 flex-1 rounded-md border border-slate-300 bg-white px-2 py-0.5 dark:border-slate-700 dark:bg-slate-950"
        />
        <button type="submit" disabled={busy} className="rounded bg-red-600 px-2 py-0.5 font-medium text-white hover:bg-red-500 disabled:opacity-50">
          {t("sendReport")}
        </button>
        <button type="button" onClick={() => setMode("idle")} className="rounded px-2 py-0.5 hover:bg-slate-200 dark:hover:bg-slate-800">
          {t("cancel")}
        </button>
        {error ? (
          <span role="alert" className="w-full text-red-600 dark:text-red-400">
            {error}
          </span>
        ) : null}
      </form>
    );
  }
  return (
    <div className="absolute -top-3 right-2 flex gap-1 rounded-md border border-slate-200 bg-white p-0.5 opacity-0 shadow-sm transition group-hover:opacity-100 group-focus-within:opacity-100 dark:border-slate-700 dark:bg-slate-900">
      <button
        type="button"
        onClick={() => setMode("open")}
        aria-label={t("reportMessage")}
        title={t("reportMessage")}
        data-testid="report"
        className="rounded px-1.5 py-0.5 text-xs text-slate-600 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800"
      >
        {t("report")}
      </button>
    </div>
  );
}
