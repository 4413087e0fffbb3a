"use client";
/**
 * The outbox: messages typed but not yet acknowledged, kept in IndexedDB so
 * they survive a reload or a lost connection. Each is keyed by its clientId
 * and re-sent with the same clientId until the server acknowledges it; the
 * server's idempotency turns this at-least-once sending into exactly-once
 * storage. Falls back to memory where IndexedDB is unavailable (private mode).
 */
export interface OutboxEntry {
  clientId: string;
  room: string;
  body: string;
  createdAt: string;
  /** The id of the message this one answers. */
  replyTo?: string;
}

const DB_NAME = "relay-outbox";
const STORE = "messages";

let dbPromise: Promise<IDBDatabase | null> | undefined;
const memory = new Map<string, OutboxEntry>();

function open(): Promise<IDBDatabase | null> {
  dbPromise ??= new Promise((resolve) => {
    if (typeof indexedDB === "undefined") return resolve(null);
    const req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = () => {
      const store = req.result.createObjectStore(STORE, { keyPath: "clientId" });
      store.createIndex("room", "room");
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => resolve(null);
    req.onblocked = () => resolve(null);
  });
  return dbPromise;
}

function run<T>(mode: IDBTransactionMode, fn: (store: IDBObjectStore) => IDBRequest<T>): Promise<T | undefined> {
  return open().then(
    (db) =>
      new Promise((resolve) => {
        if (!db) return resolve(undefined);
        const req = fn(db.transaction(STORE, mode).objectStore(STORE));
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => resolve(undefined);
      }),
  );
}

export const outbox = {
  async put(entry: OutboxEntry): Promise<void> {
    memory.set(entry.clientId, entry);
    await run("readwrite", (s) => s.put(entry));
  },
  async remove(clientId: string): Promise<void> {
    memory.delete(clientId);
    await run("readwrite", (s) => s.delete(clientId));
  },
  async list(room: string): Promise<OutboxEntry[]> {
    const stored = await run<OutboxEntry[]>("readonly", (s) => s.index("room").getAll(room));
    const byId = new Map((stored ?? []).map((e) => [e.clientId, e]));
    for (const e of memory.values()) if (e.room === room) byId.set(e.clientId, e);
    return [...byId.values()].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  },
};
