"use client";
/**
 * Browser notifications: opted into from the settings menu (the permission
 * is asked for there, on a click, never on page load), for mentions and
 * direct messages, only while the tab is hidden, never for a muted room.
 */
import type { RoomActivity, RoomEntry } from "@/server/contract";

const PREF = "relay.notifications";

type Format = (room: RoomEntry, a: RoomActivity, mention: boolean) => { title: string; body: string };
let format: Format = (room, a) => ({ title: `${a.author.name} · #${room.name}`, body: a.preview });

/** The sidebar hands in its translations. */
export function setNotificationFormat(f: Format) {
  format = f;
}

export const notificationsSupported = () => typeof window !== "undefined" && "Notification" in window;

export function notificationsOn(): boolean {
  return notificationsSupported() && Notification.permission === "granted" && localStorage.getItem(PREF) === "on";
}

/** Turns them on (asking for the permission if needed); resolves whether they are on. */
export async function enableNotifications(): Promise<boolean> {
  if (!notificationsSupported()) return false;
  const permission = Notification.permission === "default" ? await Notification.requestPermission() : Notification.permission;
  if (permission !== "granted") return false;
  localStorage.setItem(PREF, "on");
  return true;
}

export function disableNotifications() {
  localStorage.setItem(PREF, "off");
}

export function maybeNotify(room: RoomEntry, a: RoomActivity, mention: boolean) {
  if (room.muted || !(mention || room.kind === "dm")) return;
  if (document.visibilityState !== "hidden" || !notificationsOn()) return;
  const { title, body } = format(room, a, mention);
  try {
    const n = new Notification(title, { body, tag: `${a.room}:${a.seq}` });
    n.onclick = () => {
      window.focus();
      window.location.assign(`/r/${encodeURIComponent(a.room)}`);
    };
  } catch {
    // Some browsers allow notifications only from a service worker: nothing to show then.
  }
}
