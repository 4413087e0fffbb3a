"use client";
/**
 * The page's room list, shared by the sidebar, the quick switcher, the tab
 * title and notifications: one store per page (on globalThis, like the
 * socket), fed by the socket.
 *
 * - On every connect: `rooms:watch` answers the list with counts and makes
 *   the socket follow every listed room's activity.
 * - `room:activity` raises counts (and may notify), `room:read` from any of
 *   the user's connections lowers them, `room:settings` (mute) updates.
 */
import { useSyncExternalStore } from "react";
import type { RoomActivity, RoomEntry, RoomRead, RoomSettings } from "@/server/contract";
import { getSocket } from "@/components/lib/socket";
import { api } from "@/components/lib/api";
import { noteServerTime } from "@/components/lib/clock";
import { applyActivity, applyRead, applySettings, type Viewer } from "./rooms";
import { maybeNotify } from "./notify";

export interface RoomListState {
  rooms: RoomEntry[];
  loaded: boolean;
}

/** A partial read elsewhere leaves counts unknown: re-read them, batched. */
const REFRESH_DELAY_MS = 300;
const KEY = Symbol.for("relay-chat.room-list");

interface Store {
  state: RoomListState;
  me: Viewer;
  listeners: Set<() => void>;
  started: boolean;
  refreshTimer?: ReturnType<typeof setTimeout>;
}

function store(): Store {
  const g = globalThis as { [KEY]?: Store };
  g[KEY] ??= { state: { rooms: [], loaded: false }, me: { id: "", name: "", reading: null }, listeners: new Set(), started: false };
  return g[KEY];
}

function set(rooms: RoomEntry[]) {
  const s = store();
  if (rooms === s.state.rooms && s.state.loaded) return;
  s.state = { rooms, loaded: true };
  for (const l of s.listeners) l();
}

async function watch() {
  const socket = getSocket();
  const ack = await socket.timeout(15_000).emitWithAck("rooms:watch", {}).catch(() => null);
  if (ack?.ok) {
    noteServerTime(ack.serverTime);
    set(ack.rooms);
    return;
  }
  // Not answered over the socket: the list still shows, from HTTP.
  const res = await api<{ rooms: RoomEntry[]; now: string }>("/api/rooms?include=dms").catch(() => null);
  if (res) {
    noteServerTime(res.now);
    set(res.rooms);
  }
}

function refreshSoon() {
  const s = store();
  clearTimeout(s.refreshTimer);
  s.refreshTimer = setTimeout(() => void watch(), REFRESH_DELAY_MS);
}

/** Starts the feed once per page for this user. */
export function startRoomList(me: { id: string; name: string }) {
  const s = store();
  s.me = { ...s.me, id: me.id, name: me.name };
  if (s.started) return;
  s.started = true;
  const socket = getSocket();
  socket.on("connect", () => void watch());
  socket.on("room:activity", (a: RoomActivity) => {
    const { rooms, mention, counted } = applyActivity(store().state.rooms, a, store().me);
    set(rooms);
    const room = rooms.find((r) => r.slug === a.room);
    if (counted && room) maybeNotify(room, a, mention);
  });
  socket.on("room:read", (r: RoomRead) => {
    const { rooms, stale } = applyRead(store().state.rooms, r);
    set(rooms);
    if (stale) refreshSoon();
  });
  socket.on("room:settings", (p: RoomSettings) => set(applySettings(store().state.rooms, p)));
  // A DM was opened with us: the list (and what the socket watches) changes.
  socket.on("rooms:changed", () => refreshSoon());
  if (socket.connected) void watch();
}

/** The room on screen that is being read as messages arrive (or null). */
export function setReading(slug: string | null) {
  store().me = { ...store().me, reading: slug };
}

/** A read acknowledged by the server, applied at once to this tab's list. */
export function noteRead(r: RoomRead) {
  const { rooms, stale } = applyRead(store().state.rooms, r);
  set(rooms);
  if (stale) refreshSoon();
}

export function noteSettings(p: RoomSettings) {
  set(applySettings(store().state.rooms, p));
}

export function useRoomList(): RoomListState {
  return useSyncExternalStore(
    (l) => {
      store().listeners.add(l);
      return () => void store().listeners.delete(l);
    },
    () => store().state,
    () => store().state,
  );
}
