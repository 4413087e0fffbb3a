"use client";
/** The audit log: every moderation and broadcast action, newest first, filterable. */
import { useCallback, useEffect, useState } from "react";
import { useFormatter, useTranslations } from "next-intl";
import { api } from "@/components/lib/api";

import type { AuditEntry as Entry } from "@/server/services/audit";

const ACTIONS = ["", "broadcast", "message.delete", "message.report", "user.mute", "user.unmute", "user.ban", "user.unban", "room.lock", "room.unlock"];

export function AuditPanel() {
  const t = useTranslations("admin.audit");
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
      setError(err instanceof Error ? err.message : String(err));
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
            {ACTIONS.map((a) => (
              <option key={a} value={a}>{a || t("any")}</option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="audit-actor" className="mb-1 block text-xs font-medium">{t("actor")}</label>
          <input id="audit-actor" value={actor} onChange={(e) => setActor(e.target.value)} className={`${field} w-32`} />
        </div>
        <button type="button" onClick={() => void load()} className="rounded-md border border-slate-300 px-2 py-1.5 text-xs font-medium dark:border-slate-700">
          {t("refresh")}
        </button>
      </div>
      {error ? <p role="alert" className="text-sm text-red-600 dark:text-red-400">{error}</p> : null}
      <div className="relative overflow-x-auto">
        <table className="w-full min-w-[32rem] text-left text-sm" data-testid="audit-log">
          <caption className="sr-only">{t("title")}</caption>
          <thead className="text-xs uppercase text-slate-500 dark:text-slate-400">
            <tr>
              <th scope="col" className="py-1 pr-2">{t("when")}</th>
              <th scope="col" className="py-1 pr-2">{t("who")}</th>
              <th scope="col" className="py-1 pr-2">{t("what")}</th>
              <th scope="col" className="py-1">{t("target")}</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
            {entries === null ? (
              <tr><td colSpan={4} className="py-3 text-slate-500">{t("loading")}</td></tr>
            ) : entries.length === 0 ? (
              <tr><td colSpan={4} className="py-3 text-slate-500">{t("empty")}</td></tr>
            ) : (
              entries.map((e) => (
                <tr key={e.id}>
                  <td className="py-1.5 pr-2 whitespace-nowrap">{format.dateTime(new Date(e.createdAt), { dateStyle: "short", timeStyle: "medium" })}</td>
                  <td className="py-1.5 pr-2">{e.actor.name}</td>
                  <td className="py-1.5 pr-2 font-mono text-xs">{e.action}</td>
                  <td className="py-1.5 text-xs text-slate-600 dark:text-slate-300">
                    {e.targetType} {e.detail ? Object.entries(e.detail).map(([k, v]) => `${k}: ${String(v)}`).join(" · ") : e.targetId}
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
