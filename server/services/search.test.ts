/**
 * GET /api/search on corpora of Chinese, Japanese, Korean, mixed-script,
 * emoji and English text, with edits and deletions between indexing and
 * querying; who may see which hit; paging; highlight offsets; and the query
 * plans, on whichever database TEST_DB names (SQLite: FTS5 trigram + FTS5 over
 * character tokens; PostgreSQL: the gram table).
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import { Prisma } from "../generated/prisma/client";
import type { Message, RoomSummary } from "../contract";
import { register, startServer, type Harness } from "../test/harness";
import { gramsOf, highlightsOf, searchSql, type SearchHit } from "./search";

interface Page {
  hits: SearchHit[];
  next?: string;
}

describe("search", () => {
  let h: Harness;
  const cookies: Record<string, string> = {};
  const ids: Record<string, string> = {};
  const sent: Record<string, Message> = {};
  let dmSlug: string;

  const call = (who: string, method: string, path: string, body?: unknown) =>
    fetch(`${h.url}${path}`, {
      method,
      headers: { "content-type": "application/json", cookie: cookies[who]!, origin: h.url },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  let n = 0;
  async function say(who: string, room: string, body: string, key = `m${n++}`): Promise<Message> {
    const res = await call(who, "POST", `/api/rooms/${room}/messages`, { clientId: randomUUID(), body });
    assert.equal(res.status, 201, await res.clone().text());
    const { message } = (await res.json()) as { message: Message };
    sent[key] = message;
    return message;
  }
  async function search(who: string, params: Record<string, string | number>): Promise<Page> {
    const qs = new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)]));
    const res = await call(who, "GET", `/api/search?${qs}`);
    assert.equal(res.status, 200, await res.clone().text());
    return (await res.json()) as Page;
  }
  const bodies = async (who: string, q: string, extra: Record<string, string | number> = {}) =>
    (await search(who, { q, limit: 50, ...extra })).hits.map((hit) => hit.message.body);

  before(async () => {
    h = await startServer();
    for (const name of ["alice", "bob", "carol"]) {
      cookies[name] = await register(h.url, name);
      ids[name] = (await h.app.prisma.user.findUniqueOrThrow({ where: { username: name } })).id;
    }
    assert.equal((await call("alice", "POST", "/api/rooms", { name: "team", visibility: "private" })).status, 201);
    assert.equal((await call("alice", "POST", "/api/rooms/team/members", { username: "bob" })).status, 201);

    // Chinese
    await say("alice", "general", "你好，世界。你好！", "hello");
    await say("bob", "general", "新的设计稿已经上传了", "design");
    await say("carol", "general", "旧的设计方案", "old-design");
    await say("carol", "general", "大家早上好，你好吗？", "morning");
    // Japanese, Korean
    await say("alice", "general", "東京で会議があります。よろしくお願いします", "tokyo");
    await say("bob", "general", "한국어 검색도 됩니다", "korean");
    // Mixed scripts and emoji
    await say("alice", "general", "Deploy 新版本 to production 🚀 today", "mixed");
    await say("bob", "general", "party time 🎉🎉 设计", "party");
    // English
    await say("carol", "general", "The Design Review is on Friday", "english");
    await say("carol", "general", "nothing to see here", "plain");
    // Private room and DM
    await say("alice", "team", "秘密的设计文档", "secret");
    await say("carol", "general", "carol was here", "carol-hello");
    const dm = await call("alice", "POST", "/api/dms", { username: "carol" });
    dmSlug = ((await dm.json()) as { room: RoomSummary }).room.slug;
    await say("alice", dmSlug, "私信：设计的事", "dm");

    // Edits and deletions after indexing.
    const edit = await call("carol", "PATCH", `/api/rooms/general/messages/${sent["old-design"]!.id}`, { body: "改成新的方案了" });
    assert.equal(edit.status, 200);
    const del = await call("carol", "DELETE", `/api/rooms/general/messages/${sent.morning!.id}`);
    assert.equal(del.status, 200);
  });

  after(async () => {
    await h?.stop();
  });

  it("finds every message holding a two-character Chinese query, newest first, with no word breaks", async () => {
    assert.deepEqual(await bodies("alice", "你好"), ["你好，世界。你好！"]);
    // Across rooms, newest first by time (two rooms' messages may share a millisecond).
    const design = (await search("alice", { q: "设计", limit: 50 })).hits.map((hit) => hit.message);
    assert.deepEqual(design.map((m) => m.body).sort(), ["私信：设计的事", "秘密的设计文档", "party time 🎉🎉 设计", "新的设计稿已经上传了"].sort());
    for (let i = 1; i < design.length; i++) assert.ok(design[i - 1]!.createdAt >= design[i]!.createdAt, "newest first");
    // One character, and three (the trigram path on SQLite).
    assert.deepEqual(await bodies("bob", "稿"), ["新的设计稿已经上传了"]);
    assert.deepEqual(await bodies("bob", "设计稿"), ["新的设计稿已经上传了"]);
    assert.deepEqual(await bodies("bob", "新的设计稿已经"), ["新的设计稿已经上传了"]);
  });

  it("reads Japanese, Korean, mixed scripts, emoji and English (case-insensitive)", async () => {
    assert.deepEqual(await bodies("bob", "東京"), ["東京で会議があります。よろしくお願いします"]);
    assert.deepEqual(await bodies("bob", "お願い"), ["東京で会議があります。よろしくお願いします"]);
    assert.deepEqual(await bodies("bob", "검색"), ["한국어 검색도 됩니다"]);
    assert.deepEqual(await bodies("bob", "新版本 to"), ["Deploy 新版本 to production 🚀 today"]);
    assert.deepEqual(await bodies("bob", "🚀"), ["Deploy 新版本 to production 🚀 today"]);
    assert.deepEqual(await bodies("bob", "🎉🎉"), ["party time 🎉🎉 设计"]);
    assert.deepEqual(await bodies("bob", "design review"), ["The Design Review is on Friday"]);
    assert.deepEqual(await bodies("bob", "DESIGN"), ["The Design Review is on Friday"]);
    assert.deepEqual(await bodies("bob", "zz"), []);
    assert.deepEqual(await bodies("bob", "xyzzy"), []);
  });

  it("finds edited messages by their new text only, and deleted ones never", async () => {
    assert.deepEqual(await bodies("alice", "方案"), ["改成新的方案了"]);
    assert.deepEqual(await bodies("alice", "旧的"), []);
    assert.deepEqual(await bodies("alice", "旧的设计方案"), []);
    assert.deepEqual(await bodies("alice", "早上"), []);
    assert.deepEqual(await bodies("alice", "大家早上好"), []);
    assert.deepEqual(await bodies("alice", "吗"), []);
  });

  it("shows hits only from rooms the user can read: public rooms, their private rooms, their DMs", async () => {
    const carolSees = await bodies("carol", "设计");
    assert.ok(!carolSees.includes("秘密的设计文档"), "not a member of #team");
    assert.ok(carolSees.includes("私信：设计的事"), "her own DM");
    const bobSees = await bodies("bob", "设计");
    assert.ok(bobSees.includes("秘密的设计文档"));
    assert.ok(!bobSees.includes("私信：设计的事"), "someone else's DM");
    assert.deepEqual(await bodies("carol", "秘密"), []);
    assert.deepEqual(await bodies("carol", "秘密的设计"), []);

    // One room; a room the user cannot read does not exist for them.
    assert.deepEqual(await bodies("bob", "设计", { room: "team" }), ["秘密的设计文档"]);
    const hidden = await call("carol", "GET", "/api/search?q=%E8%AE%BE%E8%AE%A1&room=team");
    assert.equal(hidden.status, 404);
    // Each hit names its room; a DM by the other person's name.
    const dmHit = (await search("carol", { q: "私信" })).hits[0]!;
    assert.deepEqual(dmHit.room, { slug: dmSlug, name: "alice", kind: "dm" });
    const pub = (await search("carol", { q: "東京" })).hits[0]!;
    assert.deepEqual(pub.room, { slug: "general", name: "general", kind: "room" });
    // Signed out: nothing.
    assert.equal((await fetch(`${h.url}/api/search?q=x`)).status, 401);
    assert.equal((await call("bob", "GET", "/api/search?q=%20%20")).status, 400);
  });

  it("returns highlights as UTF-16 offsets into the body", async () => {
    const hello = (await search("alice", { q: "你好" })).hits[0]!;
    assert.deepEqual(hello.highlights, [
      [0, 2],
      [6, 8],
    ]);
    const rocket = (await search("alice", { q: "🚀" })).hits[0]!;
    const start = rocket.message.body.indexOf("🚀");
    assert.deepEqual(rocket.highlights, [[start, start + 2]]);
    const english = (await search("alice", { q: "design" })).hits[0]!;
    assert.deepEqual(english.highlights, [[4, 10]]);
    assert.equal(english.message.body.slice(4, 10), "Design");
    assert.deepEqual(highlightsOf("aaaa", "aa"), [
      [0, 2],
      [2, 4],
    ]);
    assert.deepEqual(gramsOf("AbA").sort(), ["a", "ab", "b", "ba"]);
  });

  it("pages newest first with `next` until the last page", async () => {
    const made: string[] = [];
    for (let i = 0; i < 23; i++) made.push((await say("bob", "team", `第${i}条：分页测试 page ${i}`)).id);
    for (const q of ["分页", "分页测试"]) {
      const seen: string[] = [];
      let next: string | undefined;
      let pages = 0;
      do {
        const page = await search("alice", { q, limit: 10, ...(next ? { before: next } : {}) });
        seen.push(...page.hits.map((hit) => hit.message.id));
        next = page.next;
        pages++;
      } while (next);
      assert.equal(pages, 3, q);
      assert.deepEqual(seen, [...made].reverse(), `${q}: every hit once, newest first`);
    }
  });

  it("answers any query in any script with hits whose highlights are the query (fuzz)", async () => {
    const corpus = Object.values(sent).map((m) => m.body);
    // Substrings of the corpus (so some queries hit), and arbitrary Unicode.
    const fromCorpus = fc
      .tuple(fc.constantFrom(...corpus), fc.nat(), fc.integer({ min: 1, max: 6 }))
      .map(([body, start, len]) => Array.from(body).slice(start % Math.max(1, Array.from(body).length)).slice(0, len).join(""));
    await fc.assert(
      fc.asyncProperty(fc.oneof(fromCorpus, fc.string({ unit: "grapheme", maxLength: 8 }), fc.string({ maxLength: 8 })), async (q) => {
        const res = await call("alice", "GET", `/api/search?${new URLSearchParams({ q, limit: "50" })}`);
        const fold = (x: string) => Array.from(x.trim(), (c) => (Array.from(c.toLowerCase()).length === 1 ? c.toLowerCase() : c)).join("");
        if (!q.trim()) return assert.equal(res.status, 400);
        assert.equal(res.status, 200, `${JSON.stringify(q)} -> ${res.status}`);
        const page = (await res.json()) as Page;
        for (const hit of page.hits) {
          assert.ok(hit.highlights.length > 0, `${JSON.stringify(q)} found ${JSON.stringify(hit.message.body)} without a highlight`);
          for (const [s, e] of hit.highlights) assert.equal(fold(hit.message.body.slice(s, e)), fold(q));
        }
        if (page.next) return assert.equal(page.hits.length, 50);
        // Every live message that holds the query is found (the corpus is small enough to check them all).
        // (The oracle reads the live rows, edits applied, deletions gone, from rooms Alice can read.)
        const live = await h.app.prisma.message.findMany({
          where: { deletedAt: null, room: { OR: [{ visibility: "public" }, { members: { some: { userId: ids.alice! } } }] } },
          select: { body: true },
        });
        const expected = live.map((m) => m.body).filter((b) => fold(b).includes(fold(q)));
        assert.deepEqual(page.hits.map((hit) => hit.message.body).sort(), expected.sort(), JSON.stringify(q));
      }),
      { numRuns: 60 },
    );
  });

  it("opens a hit in its context: ?around=SEQ pages oldest first, centred on the hit", async () => {
    const hit = (await search("bob", { q: "第10条" })).hits[0]!;
    assert.equal(hit.room.slug, "team");
    const res = await call("bob", "GET", `/api/rooms/team/messages?around=${hit.message.seq}&limit=6`);
    assert.equal(res.status, 200);
    const page = (await res.json()) as { messages: Message[]; around: number };
    assert.equal(page.around, hit.message.seq);
    const seqs = page.messages.map((m) => m.seq);
    assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), "oldest first");
    assert.equal(seqs.length, 6);
    assert.equal(seqs.indexOf(hit.message.seq), 2, "three at or before the hit, three after");
    assert.ok(page.messages.some((m) => m.body.startsWith("第10条")));
    // The first message of a room: nothing before it, the page fills after.
    const first = (await (await call("bob", "GET", "/api/rooms/team/messages?around=1&limit=4")).json()) as { messages: Message[] };
    assert.equal(first.messages[0]!.body, "秘密的设计文档");
    assert.equal(first.messages.length, 3, "ceil(4/2) = 2 at or before (only 1 exists), 2 after");
    // Outsiders: the room does not exist for them.
    assert.equal((await call("carol", "GET", `/api/rooms/team/messages?around=${hit.message.seq}`)).status, 404);
    assert.equal((await call("bob", "GET", "/api/rooms/team/messages?around=0")).status, 400);
  });

  it("never scans the message table, for any query length (the query plan)", async () => {
    const provider = h.db;
    const cases = ["好", "你好", "设计稿", "Design Review", "🎉", "🎉🎉"];
    for (const q of cases) {
      for (const variant of [{}, { roomId: "x" }, { before: sent.hello!.id }]) {
        const sql = searchSql({ provider, q, actorId: ids.alice!, take: 21, ...variant });
        const plan = await explain(sql);
        if (process.env.SHOW_PLANS) console.log(q, JSON.stringify(variant), "\n" + plan);
        assert.doesNotMatch(plan, provider === "sqlite" ? /\bSCAN (m|g|c|message|message_gram)\b(?! VIRTUAL)/ : /Seq Scan on (message|message_gram)\b/, `${q}:\n${plan}`);
        if (provider === "sqlite") {
          // The index the path is meant to use is the one used.
          // 3+ characters: the trigram table (f); 1 or 2: the character-token table (c).
          assert.match(plan, Array.from(q).length >= 3 ? /SCAN f VIRTUAL TABLE INDEX/ : /SCAN c VIRTUAL TABLE INDEX/, plan);
        } else assert.match(plan, /(Index (Only )?Scan using|Bitmap Index Scan on) message_gram_pkey/, plan);
      }
    }
  });

  /** The plan of a search query. On PostgreSQL sequential scans are priced out, so a plan without one proves an index path exists at any table size. */
  async function explain(sql: Prisma.Sql): Promise<string> {
    if (h.db === "sqlite") {
      const rows = await h.app.prisma.$queryRaw<{ detail: string }[]>(Prisma.sql`EXPLAIN QUERY PLAN ${sql}`);
      return rows.map((r) => r.detail).join("\n");
    }
    const rows = await h.app.prisma.$transaction(async (tx) => {
      await tx.$executeRaw`SET LOCAL enable_seqscan = off`;
      return tx.$queryRaw<{ "QUERY PLAN": string }[]>(Prisma.sql`EXPLAIN ${sql}`);
    });
    return rows.map((r) => r["QUERY PLAN"]).join("\n");
  }
});
