"use client";
/** Moderation: find a user, mute them in a room or ban them; lock a room to read-only. */
import { useEffect, useState, type FormEvent } from "react";
import { useFormatter, useTranslations } from "next-intl";
import { useErrorText } from "@/components/lib/errors";
import type { RoomSummary } from "@/server/contract";
import { api } from "@/components/lib/api";
import { GuestBadge } from "@/components/ui/GuestBadge";

interface UserRow {
  id: string;
  name: string;
  username: string | null;
  role: string;
  banned: boolean;
  /** Muted in the selected room until then, or null. */
  mutedUntil: string | null;
}

export function ModerationPanel() {
  const t = useTranslations("admin.moderation");
  const errorText = useErrorText();
  const format = useFormatter();
  const [q, setQ] = useState("");
  const [users, setUsers] = useState<UserRow[]>([]);
  const [rooms, setRooms] = useState<RoomSummary[]>([]);
  const [room, setRoom] = useState("general");
  const [minutes, setMinutes] = useState(10);
  const [status, setStatus] = useState<{ ok: boolean; text: string } | null>(null);

  const search = async (e?: FormEvent, inRoom = room) => {
    e?.preventDefault();
    try {
      setUsers((await api<{ users: UserRow[] }>(`/api/admin/users?q=${encodeURIComponent(q)}&room=${encodeURIComponent(inRoom)}`)).users);
    } catch (err) {
      setStatus({ ok: false, text: errorText(err) });
    }
  };

  const loadRooms = () => api<{ rooms: RoomSummary[] }>("/api/rooms").then((r) => setRooms(r.rooms)).catch(() => {});
  useEffect(() => {
    void search();
    void loadRooms();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  const selected = rooms.find((r) => r.slug === room);
  const roomName = selected?.name ?? room;

  const act = async (label: string, path: string, method: string, body: unknown) => {
    try {
      await api(path, { method, body });
      setStatus({ ok: true, text: label });
      await Promise.all([search(), loadRooms()]);
    } catch (err) {
      setStatus({ ok: false, text: errorText(err) });
    }
  };

  const field = "rounded-lg border border-slate-300 bg-white px-2 py-1.5 text-sm dark:border-slate-700 dark:bg-slate-950";
  const small = "rounded-md border border-slate-300 px-2 py-1 text-xs font-medium hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800";
  return (
    <section aria-labelledby="moderation-title" className="space-y-4 rounded-xl border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900">
      <h2 id="moderation-title" className="text-lg font-semibold">{t("title")}</h2>
      <div className="flex flex-wrap items-end gap-3">
        <div>
          <label htmlFor="mod-room" className="mb-1 block text-sm font-medium">{t("room")}</label>
          <select id="mod-room" value={room} onChange={(e) => (setRoom(e.target.value), void search(undefined, e.target.value))} className={field}>
            {rooms.map((r) => (
              <option key={r.slug} value={r.slug}>#{r.name}</option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="mod-minutes" className="mb-1 block text-sm font-medium">{t("minutes")}</label>
          <input id="mod-minutes" type="number" min={1} max={43200} value={minutes} onChange={(e) => setMinutes(Number(e.target.value) || 1)} className={`${field} w-24`} />
        </div>
        {/* The room's current state, and the one action that changes it. */}
        <p className="text-sm" data-testid="room-posting-state">
          {selected ? (selected.readOnly ? t("isReadOnly") : t("isOpen")) : null}
        </p>
        {selected?.readOnly ? (
          <button type="button" className={small} onClick={() => act(t("unlocked", { room: roomName }), `/api/admin/rooms/${encodeURIComponent(room)}/lock`, "POST", { readOnly: false })}>
            {t("unlock")}
          </button>
        ) : (
          <button type="button" className={small} onClick={() => act(t("locked", { room: roomName }), `/api/admin/rooms/${encodeURIComponent(room)}/lock`, "POST", { readOnly: true })}>
            {t("lock")}
          </button>
        )}
      </div>
      <form onSubmit={search} className="flex gap-2" role="search">
        <label htmlFor="mod-q" className="sr-only">{t("search")}</label>
        <input id="mod-q" value={q} onChange={(e) => setQ(e.target.value)} placeholder={t("search")} className={`${field} flex-1`} />
        <button type="submit" className={small}>{t("find")}</button>
      </form>
      {status ? (
        <p role={status.ok ? "status" : "alert"} className={`text-sm ${status.ok ? "text-emerald-700 dark:text-emerald-400" : "text-red-600 dark:text-red-400"}`}>
          {status.text}
        </p>
      ) : null}
      <ul className="divide-y divide-slate-100 text-sm dark:divide-slate-800" data-testid="user-list">
        {users.map((u) => (
          <li key={u.id} className="flex flex-wrap items-center gap-2 py-2">
            <span className="min-w-0 flex-1">
              <span className="font-medium">{u.name}</span>
              {u.username ? <span className="text-slate-600 dark:text-slate-400"> @{u.username}</span> : null}
              {u.role === "guest" ? (
                <span className="ml-2">
                  <GuestBadge />
                </span>
              ) : (
                <span className="ml-2 text-xs uppercase text-slate-600 dark:text-slate-400">{u.role}</span>
              )}
              {u.banned ? <span className="ml-2 rounded bg-red-100 px-1 text-xs font-semibold text-red-700 dark:bg-red-950 dark:text-red-300">{t("banned")}</span> : null}
            </span>
            {u.mutedUntil ? (
              <>
                <span className="rounded bg-amber-100 px-1.5 py-0.5 text-xs font-medium text-amber-900 dark:bg-amber-950 dark:text-amber-200" data-testid="muted-until">
                  {t("mutedUntil", { room: roomName, until: format.dateTime(new Date(u.mutedUntil), { dateStyle: "medium", timeStyle: "short" }) })}
                </span>
                <button
                  type="button"
                  className={small}
                  aria-label={t("unmuteLabel", { name: u.name, room: roomName })}
                  onClick={() => act(t("unmuted", { name: u.name }), "/api/admin/mutes", "DELETE", { user: u.id, room })}
                >
                  {t("unmute")}
                </button>
              </>
            ) : (
              <button
                type="button"
                className={small}
                aria-label={t("muteLabel", { name: u.name, room: roomName, minutes })}
                onClick={() => act(t("muted", { name: u.name, room: roomName, minutes }), "/api/admin/mutes", "POST", { user: u.id, room, minutes })}
              >
                {t("mute")}
              </button>
            )}
            {u.banned ? (
              <button type="button" className={small} onClick={() => act(t("unbannedDone", { name: u.name }), `/api/admin/bans/${u.id}`, "DELETE", undefined)}>
                {t("unban")}
              </button>
            ) : (
              <button type="button" className={`${small} text-red-700 dark:text-red-400`} onClick={() => act(t("bannedDone", { name: u.name }), "/api/admin/bans", "POST", { user: u.id })}>
                {t("ban")}
              </button>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
