"use client";
/** The audit log: every moderation and broadcast action, newest first, filterable. */
import { useCallback, useEffect, useState } from "react";
import { useFormatter, useTranslations } from "next-intl";
import { api } from "@/components/lib/api";
import { useErrorText } from "@/components/lib/errors";
import { AUDIT_ACTIONS } from "@/server/contract";
import type { AuditEntry as Entry } from "@/server/services/audit";

/** Details shown next to the target, in this order; the rest (the target's own name, ids) is not repeated. */
const DETAILS = ["room", "minutes", "level", "author", "reason", "text"] as const;

export function AuditPanel() {
  const t = useTranslations("admin.audit");
  const errorText = useErrorText();
  const format = useFormatter();
  const [action, setAction] = useState("");
  const [actor, setActor] = useState("");
  const [entries, setEntries] = useState<Entry[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    const params = new URLSearchParams();
    if (action) params.set("action", action);
    if (actor.trim()) params.set("actor", actor.trim());
    try {
      setEntries((await api<{ entries: Entry[] }>(`/api/admin/audit?${params}`)).entries);
      setError(null);
    } catch (err) {
      setError(errorText(err));
    }
  }, [action, actor]);

  useEffect(() => {
    void load();
  }, [load]);

  const field = "rounded-lg border border-slate-300 bg-white px-2 py-1.5 text-sm dark:border-slate-700 dark:bg-slate-950";
  return (
    <section aria-labelledby="audit-title" className="space-y-3 rounded-xl border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900">
      <div className="flex flex-wrap items-end gap-3">
        <h2 id="audit-title" className="flex-1 text-lg font-semibold">{t("title")}</h2>
        <div>
          <label htmlFor="audit-action" className="mb-1 block text-xs font-medium">{t("action")}</label>
          <select id="audit-action" value={action} onChange={(e) => setAction(e.target.value)} className={field}>
            <option value="">{t("any")}</option>
            {AUDIT_ACTIONS.map((a) => (
              <option key={a} value={a}>{t(`actions.${a}`)}</option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="audit-actor" className="mb-1 block text-xs font-medium">{t("actor")}</label>
          <input id="audit-actor" value={actor} onChange={(e) => setActor(e.target.value)} className={`${field} w-32`} />
        </div>
        <button type="button" onClick={() => void load()} className="rounded-md border border-slate-300 px-2 py-1.5 text-xs font-medium hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800">
          {t("refresh")}
        </button>
      </div>
      {error ? <p role="alert" className="text-sm text-red-600 dark:text-red-400">{error}</p> : null}
      <div className="relative overflow-x-auto">
        <table className="w-full min-w-[32rem] text-left text-sm" data-testid="audit-log">
          <caption className="sr-only">{t("title")}</caption>
          <thead className="text-xs uppercase text-slate-600 dark:text-slate-400">
            <tr>
              <th scope="col" className="py-1 pr-2">{t("when")}</th>
              <th scope="col" className="py-1 pr-2">{t("who")}</th>
              <th scope="col" className="py-1 pr-2">{t("what")}</th>
              <th scope="col" className="py-1">{t("target")}</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
            {entries === null ? (
              <tr><td colSpan={4} className="py-3 text-slate-600 dark:text-slate-400">{t("loading")}</td></tr>
            ) : entries.length === 0 ? (
              <tr><td colSpan={4} className="py-3 text-slate-600 dark:text-slate-400">{t("empty")}</td></tr>
            ) : (
              entries.map((e) => (
                <tr key={e.id}>
                  <td className="py-1.5 pr-2 whitespace-nowrap">{format.dateTime(new Date(e.createdAt), { dateStyle: "short", timeStyle: "medium" })}</td>
                  <td className="py-1.5 pr-2">{e.actor.name}</td>
                  <td className="py-1.5 pr-2 text-xs" data-action={e.action}>
                    {t.has(`actions.${e.action}`) ? t(`actions.${e.action}`) : e.action}
                  </td>
                  <td className="py-1.5 text-xs text-slate-700 dark:text-slate-300">
                    <span className="font-medium">{e.targetName ?? t(`targets.${e.targetType === "user" || e.targetType === "room" || e.targetType === "message" || e.targetType === "broadcast" ? e.targetType : "other"}`)}</span>
                    {DETAILS.filter((k) => e.detail?.[k] !== undefined && !(k === "text" && e.detail?.[k] === e.targetName)).map((k) => (
                      <span key={k} className="text-slate-600 dark:text-slate-400">
                        {" · "}
                        {k === "room" ? (e.detail?.kind === "dm" ? t("details.dm") : `#${String(e.detail![k])}`) : `${t(`details.${k}`)}: ${String(e.detail![k])}`}
                      </span>
                    ))}
                    {e.action === "broadcast.send" && e.detail?.room === undefined ? (
                      <span className="text-slate-600 dark:text-slate-400"> · {t("allRooms")}</span>
                    ) : null}
                  </td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
    </section>
  );
}
