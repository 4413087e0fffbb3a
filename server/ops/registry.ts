/**
 * The running app's Ops on globalThis, for the admin page: a server component
 * lives in Next's bundle, which cannot reach the Socket.IO server the custom
 * server holds. Only types are imported, so this pulls nothing into a bundle.
 */
import type { Ops } from "./stats";

const KEY = Symbol.for("relay-chat.ops");
type Registry = { [KEY]?: Ops };

export function setOps(ops: Ops | undefined): void {
  (globalThis as Registry)[KEY] = ops;
}

/** The running app's Ops, or undefined outside the custom server. */
export function getOps(): Ops | undefined {
  return (globalThis as Registry)[KEY];
}
