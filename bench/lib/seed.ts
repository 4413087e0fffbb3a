/**
 * A room with a million messages, fast: Relay itself creates the database
 * (migrations, the default room) and stores one real message; with the
 * server stopped, the bench then copies that message's rows (message and
 * log_event, the same columns and value formats) with direct SQL inserts in
 * large transactions, numbering seqs on from the room's head, and moves the
 * room's head (room.lastSeq) to the last one. The result is what a million
 * sends would have left: gapless seqs, one log event per message.
 */
import { randomUUID } from "node:crypto";
import path from "node:path";
import Database from "better-sqlite3";
import { sioConnect } from "./clients";
import { guestCookie, ROOM } from "./load";
import { makeBody } from "./frames";
import type { Proc } from "./procs";

export async function seedHistory(opts: { dataDir: string; messages: number; size: number; start: (dir: string) => Promise<Proc>; log: (...a: unknown[]) => void }): Promise<number> {
  const proc = await opts.start(opts.dataDir);
  try {
    const cookie = await guestCookie(proc.port, "Bench seeder");
    const c = await sioConnect(proc.port, { cookie });
    const joined = await c.emitWithAck<{ ok: boolean }>("room:join", { room: ROOM });
    if (!joined.ok) throw new Error("seed: join refused");
    const sent = await c.emitWithAck<{ ok: boolean; error?: { message: string } }>("message:send", { room: ROOM, clientId: randomUUID(), body: makeBody(0, 0, opts.size) });
    if (!sent.ok) throw new Error(`seed: send refused: ${sent.error?.message}`);
    c.close();
  } finally {
    await proc.stop();
  }

  const db = new Database(path.join(opts.dataDir, "chat.db"));
  try {
    db.pragma("synchronous = OFF");
    const room = db.prepare(`SELECT id, lastSeq FROM room WHERE slug = ?`).get(ROOM) as { id: string; lastSeq: number };
    const msg = db.prepare(`SELECT * FROM message WHERE roomId = ? ORDER BY seq DESC LIMIT 1`).get(room.id) as Record<string, unknown>;
    const ev = db.prepare(`SELECT * FROM log_event WHERE roomId = ? AND messageId = ?`).get(room.id, msg.id) as Record<string, unknown>;
    if (!msg || !ev) throw new Error("seed: the sample message or its log event is missing");
    const msgCols = Object.keys(msg);
    const evCols = Object.keys(ev);
    const insMsg = db.prepare(`INSERT INTO message (${msgCols.map((c) => `"${c}"`).join(",")}) VALUES (${msgCols.map((c) => `@${c}`).join(",")})`);
    const insEv = db.prepare(`INSERT INTO log_event (${evCols.map((c) => `"${c}"`).join(",")}) VALUES (${evCols.map((c) => `@${c}`).join(",")})`);
    // Timestamps in the sample's own format (Prisma's choice for this provider), one a second apart ending now.
    const stamp = (v: unknown, t: number): unknown => {
      if (typeof v === "number") return v > 1e11 ? t : Math.floor(t / 1000);
      if (typeof v === "string") return /T.*Z$/.test(v) ? new Date(t).toISOString() : new Date(t).toISOString().replace("T", " ").replace("Z", "");
      return v;
    };
    const n = opts.messages;
    const first = room.lastSeq + 1;
    const now = Date.now();
    const batch = db.transaction((from: number, to: number) => {
      for (let seq = from; seq < to; seq++) {
        const t = now - (first + n - seq) * 1000;
        const id = `seed${seq}`;
        insMsg.run({ ...msg, id, seq, clientId: randomUUID(), body: makeBody(0, 0, opts.size), createdAt: stamp(msg.createdAt, t) });
        insEv.run({ ...ev, seq, messageId: id, createdAt: stamp(ev.createdAt, t) });
      }
    });
    for (let from = first; from < first + n; from += 50_000) {
      batch(from, Math.min(first + n, from + 50_000));
      if ((from - first) % 200_000 === 0) opts.log(`seeding: ${from - first} / ${n}`);
    }
    const head = first + n - 1;
    db.prepare(`UPDATE room SET lastSeq = ? WHERE id = ?`).run(head, room.id);
    db.pragma("wal_checkpoint(TRUNCATE)");
    return head;
  } finally {
    db.close();
  }
}
