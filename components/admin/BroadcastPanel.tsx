"use client";
/**
 * Broadcasts: compose with a preview of the banner members will see, send,
 * and follow delivery (recipients connected when sent, acknowledgements, time
 * to the last one); retract from here.
 */
import { useCallback, useEffect, useState, type FormEvent } from "react";
import { useFormatter, useTranslations } from "next-intl";
import type { Broadcast, BroadcastLevel, RoomSummary } from "@/server/contract";
import { api } from "@/components/lib/api";
import { useErrorText } from "@/components/lib/errors";
import { ConfirmDialog } from "@/components/ui/ConfirmDialog";
import { Banners } from "@/components/chat/Banners";
import { Markdown } from "@/components/markdown/Markdown";

interface Report extends Broadcast {
  retractedAt: string | null;
  createdBy: string;
  recipients: number;
  acks: number;
  lastAckMs: number | null;
}

/** Delivery figures move for a while after sending; refresh this often. */
const REFRESH_MS = 3_000;

export function BroadcastPanel() {
  const t = useTranslations("admin.broadcasts");
  const errorText = useErrorText();
  const format = useFormatter();
  const [rooms, setRooms] = useState<RoomSummary[]>([]);
  const [reports, setReports] = useState<Report[] | null>(null);
  const [text, setText] = useState("");
  const [level, setLevel] = useState<BroadcastLevel>("info");
  const [room, setRoom] = useState("");
  const [expires, setExpires] = useState("");
  const [previewing, setPreviewing] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const refresh = useCallback(async () => {
    try {
      setReports((await api<{ broadcasts: Report[] }>("/api/admin/broadcasts")).broadcasts);
    } catch (err) {
      setError(errorText(err));
    }
  }, []);

  useEffect(() => {
    void api<{ rooms: RoomSummary[] }>("/api/rooms").then((r) => setRooms(r.rooms)).catch(() => {});
    void refresh();
    const timer = setInterval(() => void refresh(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [refresh]);

  const draft: Broadcast = {
    id: "preview",
    text: text.trim() || t("previewPlaceholder"),
    level,
    room: room || null,
    createdAt: new Date().toISOString(),
    expiresAt: null,
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!previewing) return setPreviewing(true);
    setBusy(true);
    setError(null);
    try {
      await api("/api/admin/broadcasts", {
        method: "POST",
        body: { text, level, room: room || null, expiresAt: expires ? new Date(expires).toISOString() : null },
      });
      setText("");
      setExpires("");
      setPreviewing(false);
      await refresh();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  const [confirming, setConfirming] = useState<Report | null>(null);
  const retract = async (id: string) => {
    setConfirming(null);
    try {
      await api(`/api/admin/broadcasts/${id}`, { method: "DELETE" });
      await refresh();
    } catch (err) {
      setError(errorText(err));
    }
  };

  const field = "w-full rounded-lg border border-slate-300 bg-white px-3 py-2 dark:border-slate-700 dark:bg-slate-950";
  return (
    <section aria-labelledby="broadcasts-title" className="space-y-4 rounded-xl border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900">
      <h2 id="broadcasts-title" className="text-lg font-semibold">{t("title")}</h2>
      <form onSubmit={submit} className="space-y-3" data-testid="broadcast-form">
        <div>
          <label htmlFor="bc-text" className="mb-1 block text-sm font-medium">{t("text")}</label>
          <textarea id="bc-text" value={text} onChange={(e) => (setText(e.target.value), setPreviewing(false))} required rows={3} className={field} />
        </div>
        <div className="grid gap-3 sm:grid-cols-3">
          <div>
            <label htmlFor="bc-level" className="mb-1 block text-sm font-medium">{t("level")}</label>
            <select id="bc-level" value={level} onChange={(e) => (setLevel(e.target.value as BroadcastLevel), setPreviewing(false))} className={field}>
              {(["info", "warning", "critical"] as const).map((l) => (
                <option key={l} value={l}>{t(`levels.${l}`)}</option>
              ))}
            </select>
          </div>
          <div>
            <label htmlFor="bc-room" className="mb-1 block text-sm font-medium">{t("target")}</label>
            <select id="bc-room" value={room} onChange={(e) => (setRoom(e.target.value), setPreviewing(false))} className={field}>
              <option value="">{t("allRooms")}</option>
              {rooms.map((r) => (
                <option key={r.slug} value={r.slug}>#{r.name}</option>
              ))}
            </select>
          </div>
          <div>
            <label htmlFor="bc-expires" className="mb-1 block text-sm font-medium">{t("expires")}</label>
            <input id="bc-expires" type="datetime-local" value={expires} onChange={(e) => setExpires(e.target.value)} className={field} />
          </div>
        </div>
        <div>
          <p className="mb-1 text-sm font-medium">{t("preview")}</p>
          <div className="rounded-lg border border-dashed border-slate-300 py-2 dark:border-slate-700" data-testid="broadcast-preview">
            <Banners broadcasts={[draft]} preview />
          </div>
        </div>
        {error ? <p role="alert" className="text-sm text-red-600 dark:text-red-400">{error}</p> : null}
        <button type="submit" disabled={busy || !text.trim()} className="rounded-lg bg-indigo-600 px-4 py-2 text-sm font-medium text-white hover:bg-indigo-500 disabled:opacity-50">
          {previewing ? t("confirmSend") : t("review")}
        </button>
        {previewing ? <p className="text-xs text-slate-500 dark:text-slate-400">{t("reviewHint")}</p> : null}
      </form>

      <div className="relative overflow-x-auto">
        <table className="w-full min-w-[36rem] text-left text-sm" data-testid="broadcast-list">
          <caption className="sr-only">{t("listCaption")}</caption>
          <thead className="text-xs uppercase text-slate-500 dark:text-slate-400">
            <tr>
              <th scope="col" className="py-1 pr-2">{t("colText")}</th>
              <th scope="col" className="py-1 pr-2">{t("colTarget")}</th>
              <th scope="col" className="py-1 pr-2">{t("colRecipients")}</th>
              <th scope="col" className="py-1 pr-2">{t("colAcks")}</th>
              <th scope="col" className="py-1 pr-2">{t("colLastAck")}</th>
              <th scope="col" className="py-1"><span className="sr-only">{t("colActions")}</span></th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
            {reports === null ? (
              <tr><td colSpan={6} className="py-3 text-slate-600 dark:text-slate-400">{t("loading")}</td></tr>
            ) : reports.length === 0 ? (
              <tr><td colSpan={6} className="py-3 text-slate-600 dark:text-slate-400">{t("empty")}</td></tr>
            ) : (
              reports.map((r) => (
                <tr key={r.id} data-testid="broadcast-row" className={r.retractedAt ? "opacity-60" : ""}>
                  <td className="py-1.5 pr-2">
                    <span className="text-xs font-semibold uppercase">{t(`levels.${r.level}`)}</span>
                    <Markdown text={r.text} className="max-w-prose" />
                    <div className="text-xs text-slate-500 dark:text-slate-400">
                      {format.dateTime(new Date(r.createdAt), { dateStyle: "short", timeStyle: "short" })} · {r.createdBy}
                      {r.retractedAt ? ` · ${t("retracted")}` : ""}
                    </div>
                  </td>
                  <td className="py-1.5 pr-2">{r.room ? `#${r.room}` : t("allRooms")}</td>
                  <td className="py-1.5 pr-2 tabular-nums" data-testid="recipients">{r.recipients}</td>
                  <td className="py-1.5 pr-2 tabular-nums" data-testid="acks">{r.acks}</td>
                  <td className="py-1.5 pr-2 tabular-nums">{r.lastAckMs === null ? "—" : `${(r.lastAckMs / 1000).toFixed(1)} s`}</td>
                  <td className="py-1.5 text-right">
                    {r.retractedAt ? null : (
                      <button
                        type="button"
                        onClick={() => setConfirming(r)}
                        aria-haspopup="dialog"
                        className="text-xs font-medium text-red-700 underline dark:text-red-400"
                      >
                        {t("retract")}
                      </button>
                    )}
                  </td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
      <ConfirmDialog
        open={confirming !== null}
        title={t("retractTitle")}
        body={
          confirming ? (
            <>
              <p>{t("retractBody", { target: confirming.room ? `#${confirming.room}` : t("allRooms") })}</p>
              <blockquote className="mt-2 border-l-2 border-slate-300 pl-2 dark:border-slate-600">
                <Markdown text={confirming.text} />
              </blockquote>
            </>
          ) : null
        }
        confirm={t("retractConfirm")}
        cancel={t("retractCancel")}
        onConfirm={() => confirming && void retract(confirming.id)}
        onCancel={() => setConfirming(null)}
      />
    </section>
  );
}
