/**
 * The send path's store (server/store/hot.ts) on the database TEST_DB names:
 * its rows read back through Prisma exactly as Prisma's own; a duplicate
 * clientId is DuplicateSend; and on SQLite, where it shares Prisma's
 * connection, it never runs inside a Prisma transaction that is open (a
 * rollback there must not take a send with it) and a mix of both keeps the
 * room's seqs gapless.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { providerOfClient, sqliteConnectionOf } from "../db";
import { createHotStore, DuplicateSend, type HotStore } from "./hot";
import { charDoc, gramsOf } from "../services/search";
import { connectClient, connected, joinAsGuest, startServer, type Harness } from "../test/harness";

/** A server whose #general holds one message by a real guest (so the user row is what better-auth writes), and a hot store on its Prisma. */
async function seeded(name: string, options?: Parameters<typeof startServer>[0]) {
  const h = await startServer(options);
  const client = connectClient(h.url, await joinAsGuest(h.url, name));
  await connected(client);
  const ack = await client.emitWithAck("message:send", { room: "general", clientId: randomUUID(), body: "first" });
  assert.ok(ack.ok, JSON.stringify(ack));
  client.close();
  const roomId = (await h.app.prisma.room.findUniqueOrThrow({ where: { slug: "general" } })).id;
  return { h, store: createHotStore(h.app.prisma), userId: ack.message.author.id, roomId };
}

describe("hot store", () => {
  let h: Harness;
  let store: HotStore;
  let userId: string;
  let roomId: string;

  before(async () => {
    ({ h, store, userId, roomId } = await seeded("Hot"));
  });
  after(() => h.stop());

  test("reads match Prisma's", async () => {
    const viaPrisma = await h.app.prisma.room.findUniqueOrThrow({ where: { slug: "general" } });
    const room = await store.roomBySlug("general");
    assert.deepEqual(room, {
      id: viaPrisma.id,
      slug: viaPrisma.slug,
      name: viaPrisma.name,
      topic: viaPrisma.topic,
      visibility: viaPrisma.visibility,
      lastSeq: viaPrisma.lastSeq,
      epoch: viaPrisma.epoch,
      readOnly: viaPrisma.readOnly,
      kind: viaPrisma.kind,
      dmKey: viaPrisma.dmKey,
    });
    assert.equal(await store.roomBySlug("no-such-room"), null);
    // Pages come from the store on SQLite, from the services' Prisma read elsewhere.
    assert.equal(store.page === null, providerOfClient(h.app.prisma) !== "sqlite");
    assert.equal(await store.isMember(roomId, userId), false);

    const user = await h.app.prisma.user.findUniqueOrThrow({ where: { id: userId } });
    assert.deepEqual(await store.poster(userId, roomId), { banned: false, role: user.role, muteUntil: null });
    const until = new Date(Date.now() + 60_000);
    await h.app.prisma.mute.create({ data: { roomId, userId, until } });
    assert.equal((await store.poster(userId, roomId))?.muteUntil?.getTime(), until.getTime());
    await h.app.prisma.mute.delete({ where: { roomId_userId: { roomId, userId } } });
    assert.equal(await store.poster("nobody", roomId), null);
  });

  test("an appended message reads back through Prisma, with its log row", async () => {
    const clientId = randomUUID();
    const row = await store.appendMessage({ roomId, authorId: userId, clientId, body: "héllo 你好 🎉" });
    const stored = await h.app.prisma.message.findUniqueOrThrow({ where: { id: row.id }, include: { author: true } });
    assert.equal(stored.seq, row.seq);
    assert.equal(stored.body, "héllo 你好 🎉");
    assert.equal(stored.createdAt.getTime(), row.createdAt.getTime());
    assert.equal(stored.author.name, row.author.name);
    assert.equal(row.author.isAnonymous, true);
    const log = await h.app.prisma.logEvent.findUniqueOrThrow({ where: { roomId_seq: { roomId, seq: row.seq } } });
    assert.equal(log.type, "message");
    assert.equal(log.messageId, row.id);
    assert.equal((await h.app.prisma.room.findUniqueOrThrow({ where: { id: roomId } })).lastSeq, row.seq);
    // The short-query search index, written in the same transaction.
    if (providerOfClient(h.app.prisma) === "sqlite") {
      const [chars] = await h.app.prisma.$queryRaw<{ doc: string }[]>`SELECT c.doc FROM message_chars c JOIN message m ON m.rowid = c.rowid WHERE m.id = ${row.id}`;
      assert.equal(chars?.doc, charDoc("héllo 你好 🎉"));
      assert.match(chars!.doc, /u4f60 u597d/, "你好 as two tokens in order");
    } else {
      const grams = await h.app.prisma.messageGram.findMany({ where: { messageId: row.id }, select: { gram: true } });
      assert.deepEqual(grams.map((g) => g.gram).sort(), gramsOf("héllo 你好 🎉").sort());
      assert.ok(grams.some((g) => g.gram === "你好"));
    }

    const again = await store.sentBefore(userId, clientId);
    assert.deepEqual(again, { ...row, createdAt: again!.createdAt });
    assert.equal(again!.createdAt.getTime(), row.createdAt.getTime());
    await assert.rejects(store.appendMessage({ roomId, authorId: userId, clientId, body: "retry" }), DuplicateSend);
    // The failed attempt took no seq.
    assert.equal((await h.app.prisma.room.findUniqueOrThrow({ where: { id: roomId } })).lastSeq, row.seq);
  });

  test("sends in one turn share a transaction, and a duplicate among them fails alone", async () => {
    const startSeq = (await h.app.prisma.room.findUniqueOrThrow({ where: { id: roomId } })).lastSeq;
    const dup = randomUUID();
    await store.appendMessage({ roomId, authorId: userId, clientId: dup, body: "original" });
    // Issued together: one batch (same turn of the event loop).
    const results = await Promise.allSettled([
      store.appendMessage({ roomId, authorId: userId, clientId: randomUUID(), body: "a" }),
      store.appendMessage({ roomId, authorId: userId, clientId: dup, body: "retry" }),
      store.appendMessage({ roomId, authorId: userId, clientId: randomUUID(), body: "b" }),
    ]);
    assert.equal(results[0].status, "fulfilled");
    assert.equal(results[1].status, "rejected");
    assert.ok((results[1] as PromiseRejectedResult).reason instanceof DuplicateSend);
    assert.equal(results[2].status, "fulfilled");
    const [a, b] = [results[0], results[2]].map((r) => (r as PromiseFulfilledResult<{ seq: number; body: string }>).value);
    assert.deepEqual([a!.seq, b!.seq], [startSeq + 2, startSeq + 3]);
    assert.equal((await h.app.prisma.room.findUniqueOrThrow({ where: { id: roomId } })).lastSeq, startSeq + 3);
    const bodies = await h.app.prisma.message.findMany({ where: { roomId, seq: { gt: startSeq } }, orderBy: { seq: "asc" }, select: { body: true } });
    assert.deepEqual(bodies.map((m) => m.body), ["original", "a", "b"]);
  });

  test("sends, edits and deletions racing keep the room's seqs gapless", async () => {
    const startSeq = (await h.app.prisma.room.findUniqueOrThrow({ where: { id: roomId } })).lastSeq;
    const client = connectClient(h.url, await joinAsGuest(h.url, "Racer"));
    await connected(client);
    const first = await Promise.all(
      Array.from({ length: 30 }, (_, i) => client.emitWithAck("message:send", { room: "general", clientId: randomUUID(), body: `m${i}` })),
    );
    const ops: Promise<{ ok: boolean }>[] = [];
    for (let i = 0; i < 60; i++) {
      ops.push(client.emitWithAck("message:send", { room: "general", clientId: randomUUID(), body: `n${i}` }));
      // Edits of the first 20, deletions of the next 10: no edit races a deletion of its message.
      const target = first[i]!;
      if (!target?.ok) continue;
      if (i < 20) ops.push(client.emitWithAck("message:edit", { room: "general", id: target.message.id, body: `edited ${i}` }));
      else if (i < 30) ops.push(client.emitWithAck("message:delete", { room: "general", id: target.message.id }));
    }
    const acks = await Promise.all(ops);
    client.close();
    assert.ok(first.every((a) => a.ok));
    assert.ok(acks.every((a) => a.ok), JSON.stringify(acks.filter((a) => !a.ok)));
    const head = (await h.app.prisma.room.findUniqueOrThrow({ where: { id: roomId } })).lastSeq;
    const seqs = (await h.app.prisma.logEvent.findMany({ where: { roomId, seq: { gt: startSeq } }, select: { seq: true }, orderBy: { seq: "asc" } })).map((r) => r.seq);
    assert.equal(seqs.length, head - startSeq);
    assert.deepEqual(seqs, Array.from({ length: seqs.length }, (_, i) => startSeq + 1 + i));
    // 30 + 60 sends, 20 edits, 10 deletions.
    assert.equal(seqs.length, 120);
  });
});

// Only SQLite shares one connection between Prisma and the store, whatever TEST_DB says.
describe("hot store on SQLite's shared connection", () => {
  let h: Harness;
  let store: HotStore;
  let userId: string;
  let roomId: string;

  before(async () => {
    ({ h, store, userId, roomId } = await seeded("Shared", { db: "sqlite" }));
    assert.equal(providerOfClient(h.app.prisma), "sqlite");
  });
  after(() => h.stop());

  test("a send waits for an open Prisma transaction and survives its rollback", async () => {
    const topicBefore = (await h.app.prisma.room.findUniqueOrThrow({ where: { id: roomId } })).topic;
    let release!: () => void;
    const inside = new Promise<void>((resolve) => (release = resolve));
    let appended = false;
    const tx = h.app.prisma
      .$transaction(async (tx) => {
        await tx.room.update({ where: { id: roomId }, data: { topic: "uncommitted" } });
        await inside;
        assert.equal(appended, false, "the send ran inside the open transaction");
        throw new Error("roll back");
      })
      .catch((err: Error) => err.message);
    // Let the transaction take the connection, then send while it is open.
    await new Promise((r) => setTimeout(r, 20));
    const send = store.appendMessage({ roomId, authorId: userId, clientId: randomUUID(), body: "during" }).then((row) => {
      appended = true;
      return row;
    });
    const room = store.roomBySlug("general");
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(appended, false);
    release();
    assert.equal(await tx, "roll back");
    const row = await send;
    // The read after the rollback does not see the uncommitted topic.
    assert.equal((await room)?.topic, topicBefore);
    const stored = await h.app.prisma.message.findUnique({ where: { id: row.id } });
    assert.equal(stored?.body, "during");
    assert.equal((await h.app.prisma.room.findUniqueOrThrow({ where: { id: roomId } })).topic, topicBefore);
  });

  test("a page reads what Prisma's include reads: authors, mentions, replies (live and deleted), reactions; never a deleted message", async () => {
    const other = await h.app.prisma.user.create({ data: { id: randomUUID(), name: "Other Person", email: `${randomUUID()}@users.invalid` } });
    const add = (authorId: string, body: string, extra: { mentions?: string; replyToId?: string } = {}) =>
      store.appendMessage({ roomId, authorId, clientId: randomUUID(), body, ...extra });
    const original = await add(other.id, "the original");
    const doomed = await add(userId, "to be deleted");
    const replyLive = await add(userId, "a reply", { replyToId: original.id, mentions: JSON.stringify([other.id]) });
    const replyGone = await add(other.id, "a reply to what goes", { replyToId: doomed.id });
    await h.app.prisma.message.update({ where: { id: doomed.id }, data: { body: "", deletedAt: new Date() } });
    const t = Date.now();
    await h.app.prisma.reaction.create({ data: { messageId: replyLive.id, userId: other.id, emoji: "🎉", createdAt: new Date(t) } });
    await h.app.prisma.reaction.create({ data: { messageId: replyLive.id, userId, emoji: "👍", createdAt: new Date(t + 5) } });
    await h.app.prisma.reaction.create({ data: { messageId: original.id, userId, emoji: "🎉", createdAt: new Date(t + 10) } });

    const author = { select: { id: true, name: true, isAnonymous: true } } as const;
    const viaPrisma = (before: number | null, take: number) =>
      h.app.prisma.message.findMany({
        where: { roomId, deletedAt: null, ...(before ? { seq: { lt: before } } : {}) },
        orderBy: { seq: "desc" },
        take,
        select: {
          id: true, roomId: true, seq: true, clientId: true, body: true, createdAt: true, editedAt: true, deletedAt: true, mentions: true,
          author,
          replyTo: { select: { id: true, seq: true, body: true, deletedAt: true, author: { select: { id: true, name: true } } } },
          reactions: { select: { emoji: true, userId: true, createdAt: true }, orderBy: { createdAt: "asc" } },
        },
      });
    const newest = await store.page!(roomId, null, 50);
    assert.deepEqual(newest.rows, await viaPrisma(null, 50));
    assert.equal(newest.head, (await h.app.prisma.room.findUniqueOrThrow({ where: { id: roomId } })).lastSeq);
    assert.ok(!newest.rows.some((r) => r.id === doomed.id), "a deleted message is not in a page");
    const gone = newest.rows.find((r) => r.id === replyGone.id)!;
    assert.equal(gone.replyTo?.id, doomed.id);
    assert.ok(gone.replyTo?.deletedAt, "a reply knows its original was deleted");
    assert.deepEqual(newest.rows.find((r) => r.id === replyLive.id)!.reactions.map((r) => r.emoji), ["🎉", "👍"]);
    // Paging back: below a seq, a small limit.
    assert.deepEqual((await store.page!(roomId, replyLive.seq, 2)).rows, await viaPrisma(replyLive.seq, 2));
    assert.deepEqual((await store.page!(roomId, 1, 50)).rows, []);
    assert.deepEqual(await store.page!("no-such-room", null, 50), { head: 0, rows: [] });
  });

  test("a join's other reads match the Prisma reads they replace", async () => {
    const reads = store.joinReads!;
    const prisma = h.app.prisma;
    const author = { select: { name: true, isAnonymous: true } } as const;
    const newest = await prisma.message.findFirst({ where: { roomId }, orderBy: { seq: "desc" }, select: { body: true, createdAt: true, author } });
    assert.deepEqual(await reads.lastMessage(roomId), newest);
    assert.equal(await reads.lastMessage("no-such-room"), null);

    // Broadcasts: this room's, every room's, another room's, expired, retracted, expiring later.
    const other = await prisma.room.create({ data: { id: randomUUID(), slug: `other-${randomUUID().slice(0, 8)}`, name: "Other", epoch: randomUUID() } });
    const now = Date.now();
    const make = (text: string, extra: { roomId?: string | null; expiresAt?: Date | null; retractedAt?: Date | null; at: number }) =>
      prisma.broadcast.create({
        data: { id: randomUUID(), text, level: "info", createdById: userId, roomId: extra.roomId ?? null, expiresAt: extra.expiresAt ?? null, retractedAt: extra.retractedAt ?? null, createdAt: new Date(extra.at) },
      });
    await make("everywhere", { at: now - 5000 });
    await make("here, for a while", { roomId, expiresAt: new Date(now + 60_000), at: now - 4000 });
    await make("elsewhere", { roomId: other.id, at: now - 3000 });
    await make("over", { roomId, expiresAt: new Date(now - 1000), at: now - 2000 });
    await make("taken back", { retractedAt: new Date(now - 500), at: now - 1000 });
    const at = new Date(now);
    const expected = await prisma.broadcast.findMany({
      where: { retractedAt: null, OR: [{ roomId }, { roomId: null }], AND: [{ OR: [{ expiresAt: null }, { expiresAt: { gt: at } }] }] },
      orderBy: { createdAt: "asc" },
      select: { id: true, text: true, level: true, createdAt: true, expiresAt: true, room: { select: { slug: true } } },
    });
    assert.deepEqual(expected.map((b) => b.text), ["everywhere", "here, for a while"]);
    assert.deepEqual(await reads.activeBroadcasts(roomId, at), expected);
    assert.deepEqual((await reads.activeBroadcasts(roomId, new Date(now + 120_000))).map((b) => b.text), ["everywhere"], "expiry compares times");

    assert.equal(await reads.readState(userId, roomId), null);
    await prisma.readState.create({ data: { userId, roomId, lastReadSeq: 3, muted: true } });
    assert.deepEqual(await reads.readState(userId, roomId), { lastReadSeq: 3, muted: true });

    // Baseline: the last message from before the user joined Relay.
    const user = await prisma.user.findUniqueOrThrow({ where: { id: userId } });
    const before = await prisma.message.findFirst({ where: { roomId, createdAt: { lte: user.createdAt } }, orderBy: { seq: "desc" }, select: { seq: true } });
    assert.equal(await reads.baseline(userId, roomId), before?.seq ?? 0);
    const late = await prisma.user.create({ data: { id: randomUUID(), name: "Latecomer", email: `${randomUUID()}@users.invalid` } });
    const head = (await prisma.room.findUniqueOrThrow({ where: { id: roomId } })).lastSeq;
    assert.ok(head > 0);
    assert.equal(await reads.baseline(late.id, roomId), (await prisma.message.findFirst({ where: { roomId }, orderBy: { seq: "desc" } }))!.seq, "everything so far is from before they came");
    const early = await prisma.user.create({ data: { id: randomUUID(), name: "Early", email: `${randomUUID()}@users.invalid`, createdAt: new Date(0) } });
    assert.equal(await reads.baseline(early.id, roomId), 0);
  });

  test("message_chars: the migration's backfill writes what the store writes, and a deleted message row takes its row along", async () => {
    const prisma = h.app.prisma;
    const bodies = ["Hello, World", "你好，世界 🎉🎉", "tabs\tand  spaces"];
    const rows = [];
    for (const body of bodies) rows.push(await store.appendMessage({ roomId, authorId: userId, clientId: randomUUID(), body }));
    const docs = async () =>
      new Map(
        (await prisma.$queryRaw<{ id: string; doc: string }[]>`SELECT m.id, c.doc FROM message_chars c JOIN message m ON m.rowid = c.rowid`).map((r) => [r.id, r.doc]),
      );
    const written = await docs();
    for (const [i, row] of rows.entries()) assert.equal(written.get(row.id), charDoc(bodies[i]!));
    // The backfill, run on the same messages, writes the same documents (its lower() folds ASCII, as these need).
    const migration = readFileSync(path.join(import.meta.dirname, "../../prisma/migrations/sqlite/20261201220000_search_chars/migration.sql"), "utf8");
    const backfill = /INSERT INTO "message_chars"[\s\S]*?GROUP BY rid;/.exec(migration)?.[0];
    assert.ok(backfill, "the migration has its backfill");
    await prisma.$executeRaw`DELETE FROM message_chars`;
    // The migration's own statement, run as the migration runs it: SQL text on the connection.
    await sqliteConnectionOf(prisma)!.run((db) => db.exec(backfill));
    const backfilled = await docs();
    for (const row of rows) assert.equal(backfilled.get(row.id), written.get(row.id), row.body);
    // A message row deleted outright (its room or author deleted) leaves no search row behind.
    await prisma.message.delete({ where: { id: rows[0]!.id } });
    assert.equal((await docs()).has(rows[0]!.id), false);
    const orphans = await prisma.$queryRaw<{ n: number }[]>`SELECT count(*) AS n FROM message_chars WHERE rowid NOT IN (SELECT rowid FROM message)`;
    assert.equal(Number(orphans[0]?.n), 0);
  });
});
