/**
 * Unit tests for the pieces that need no server: environment parsing, slugs,
 * rate limits (memory store) and presence (with fake buses).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Bus, BusEvent } from "./bus";
import type { PresencePayload } from "./contract";
import { parseEnv } from "./env";
import type { AppError } from "./errors";
import { createLimiter } from "./lib/limits";
import { slugify } from "./lib/slug";
import { COALESCE_MS, CROWD, MAX_COALESCE_MS, createPresenceService, windowOf } from "./services/presence";

describe("parseEnv", () => {
  it("accepts an empty environment with defaults", () => {
    const env = parseEnv({});
    assert.equal(env.PORT, 3000);
    assert.deepEqual(env.APP_ORIGIN, []);
    assert.equal(env.DATABASE_URL, "file:./data/chat.db");
  });

  it("parses a comma-separated APP_ORIGIN, trimming spaces and trailing slashes", () => {
    const env = parseEnv({ APP_ORIGIN: " https://a.example/ , https://b.example:8443 " });
    assert.deepEqual(env.APP_ORIGIN, ["https://a.example", "https://b.example:8443"]);
  });

  for (const port of ["abc", "70000", "-1", "3.5"]) {
    it(`rejects PORT=${port} with one line naming PORT`, () => {
      assert.throws(
        () => parseEnv({ PORT: port }),
        (err: Error) => {
          assert.match(err.message, /^Invalid environment variable PORT: \S/);
          assert.doesNotMatch(err.message, /\n/);
          return true;
        },
      );
    });
  }

  it("rejects a bad APP_ORIGIN with one line naming APP_ORIGIN", () => {
    for (const origin of ["not a url", "https://ok.example,nope"]) {
      assert.throws(
        () => parseEnv({ APP_ORIGIN: origin }),
        (err: Error) => {
          assert.match(err.message, /^Invalid environment variable APP_ORIGIN: \S/);
          assert.doesNotMatch(err.message, /\n/);
          return true;
        },
      );
    }
  });

  it("takes file: (SQLite), postgresql: and postgres: (PostgreSQL) database URLs", () => {
    assert.equal(parseEnv({}).DATABASE_URL, "file:./data/chat.db");
    for (const url of [
      "file:./data/chat.db",
      "file:/var/lib/relay/chat.db",
      "postgresql://relay:secret@db.internal:5432/relay",
      "postgres://relay@127.0.0.1/relay?sslmode=require",
      "postgresql:///relay?host=/var/run/postgresql",
    ]) {
      assert.equal(parseEnv({ DATABASE_URL: url }).DATABASE_URL, url);
    }
  });

  it("rejects any other DATABASE_URL and a short secret with one line naming each", () => {
    for (const url of ["mysql://u@h/db", "./data/chat.db", "file:", "postgresql://", "http://example.com/db", "sqlite:chat.db"]) {
      assert.throws(
        () => parseEnv({ DATABASE_URL: url }),
        (err: Error) => {
          assert.match(err.message, /^Invalid environment variable DATABASE_URL: must be file:<path> \(SQLite\) or postgresql:\/\/.* \(PostgreSQL; postgres:\/\/ too\)$/);
          assert.doesNotMatch(err.message, /\n/);
          return true;
        },
        url,
      );
    }
    assert.throws(() => parseEnv({ BETTER_AUTH_SECRET: "short" }), /BETTER_AUTH_SECRET: must be at least 32/);
  });
});

describe("slugify", () => {
  it("turns ASCII names into lower-case dashed slugs", () => {
    assert.equal(slugify("Design Team"), "design-team");
    assert.equal(slugify("  --Hello,   World!!--  "), "hello-world");
    assert.equal(slugify("Q3 2025 planning"), "q3-2025-planning");
    assert.equal(slugify("a_b.c/d"), "a-b-c-d");
  });

  it("strips accents", () => {
    assert.equal(slugify("Café Crème"), "cafe-creme");
    assert.equal(slugify("Ångström Über"), "angstrom-uber");
  });

  it("keeps slugs within 48 characters without a trailing dash", () => {
    const slug = slugify("word ".repeat(30));
    assert.ok(slug.length <= 48, slug);
    assert.doesNotMatch(slug, /-$/);
    assert.match(slug, /^[a-z0-9]+(?:-[a-z0-9]+)*$/);
  });

  it("keeps names in other scripts readable, and hashes only names without letters or digits", () => {
    const a = slugify("设计团队");
    assert.equal(a, "设计团队");
    assert.equal(slugify("  设计团队 "), a, "surrounding spaces do not matter");
    assert.notEqual(slugify("产品团队"), a);
    const emoji = slugify("🎉🎉");
    assert.match(emoji, /^room-[0-9a-f]{8}$/);
    assert.equal(slugify("🎉🎉"), emoji, "same name, same slug");
    assert.notEqual(slugify("🎉🎊"), emoji);
  });
});

describe("rate limits (memory store)", () => {
  it("allows the points of a window, then refuses with how long to wait", async () => {
    const limiter = createLimiter("test-a", { points: 3, windowMs: 10_000, message: "slow down" });
    for (let i = 0; i < 3; i++) await limiter.take("a");
    await assert.rejects(limiter.take("a"), (err: AppError) => {
      assert.equal(err.code, "rate_limited");
      assert.equal(err.message, "slow down");
      assert.ok(err.detail.retryAfter! > 9_000 && err.detail.retryAfter! <= 10_000, String(err.detail.retryAfter));
      return true;
    });
    await limiter.take("b"); // another key has its own budget
  });

  it("opens again when the window has passed", async () => {
    const limiter = createLimiter("test-b", { points: 1, windowMs: 1_000, message: "slow down" });
    await limiter.take("k");
    await assert.rejects(limiter.take("k"));
    await new Promise((r) => setTimeout(r, 1_050));
    await limiter.take("k");
  });
});

describe("presence service", () => {
  const ann = { id: "u-ann", name: "Ann", guest: false };
  const ben = { id: "u-ben", name: "Ben", guest: true };
  const tick = () => new Promise((r) => setTimeout(r, 5));

  /**
   * Nodes whose buses reach each other (and themselves, as both real buses
   * do), each recording what it published and what its clients would get.
   */
  function cluster(...ids: string[]) {
    const all: ReturnType<typeof createPresenceService>[] = [];
    return ids.map((nodeId) => {
      const published: BusEvent[] = [];
      const deltas: PresencePayload[] = [];
      const bus: Bus = {
        kind: "memory",
        publish(e) {
          published.push(e);
          if (e.type === "presence") for (const p of all) p.ingest(e);
        },
        subscribe: () => () => {},
        onRecover: () => () => {},
        close: async () => {},
      };
      const p = createPresenceService({ bus, nodeId, emit: (_room, d) => deltas.push(d), coalesceMs: 1 });
      all.push(p);
      return { p, published, deltas };
    });
  }
  const node = () => cluster("n1")[0]!;

  it("counts two connections of one user once and keeps them online until the last leaves", async () => {
    const { p, published, deltas } = node();
    p.join("general", ann, "c1");
    p.join("general", ann, "c2");
    assert.equal(p.count("general"), 1);
    assert.deepEqual(p.online("general"), [ann]);
    assert.equal(published.length, 1, "only the first connection is news");
    p.join("general", ben, "c3");
    assert.deepEqual(p.online("general"), [ann, ben]);
    await tick();
    assert.deepEqual(deltas, [{ room: "general", joined: [ann, ben], left: [], count: 2 }], "coalesced into one delta");

    p.leave("general", ann.id, "c1");
    assert.equal(p.count("general"), 2, "Ann still has c2");
    assert.deepEqual(p.roomsOf("c1"), []);
    assert.deepEqual(p.roomsOf("c2"), ["general"]);
    p.leave("general", ann.id, "c2");
    await tick();
    assert.deepEqual(deltas.at(-1), { room: "general", joined: [], left: [ann.id], count: 1 });
    p.leave("general", ben.id, "c3");
    assert.equal(p.count("general"), 0);
    assert.deepEqual(p.online("general"), []);
  });

  it("sends nothing for a join and leave within one window (churn costs nothing)", async () => {
    const { p, deltas } = node();
    for (let i = 0; i < 50; i++) {
      p.join("general", ann, `c${i}`);
      p.leave("general", ann.id, `c${i}`);
    }
    await tick();
    assert.deepEqual(deltas, []);
  });

  it("dropConnection removes a connection from every room", async () => {
    const { p, deltas } = node();
    p.join("general", ann, "c1");
    p.join("random", ann, "c1");
    p.join("random", ben, "c2");
    await tick();
    deltas.length = 0;
    p.dropConnection("c1");
    await tick();
    assert.equal(p.count("general"), 0);
    assert.equal(p.count("random"), 1);
    assert.deepEqual(
      deltas.map((d) => [d.room, d.left]).sort(),
      [
        ["general", [ann.id]],
        ["random", [ann.id]],
      ],
    );
    deltas.length = 0;
    p.dropConnection("c1");
    p.dropConnection("nobody");
    await tick();
    assert.deepEqual(deltas, []);
  });

  it("is cluster-wide: a user on two nodes is online until they leave both", async () => {
    const [one, two] = cluster("n1", "n2") as [ReturnType<typeof node>, ReturnType<typeof node>];
    one.p.join("general", ann, "a1");
    two.p.join("general", ann, "b1");
    two.p.join("general", ben, "b2");
    assert.deepEqual(one.p.online("general"), [ann, ben]);
    assert.deepEqual(two.p.online("general"), [ann, ben]);
    one.p.leave("general", ann.id, "a1");
    assert.deepEqual(two.p.online("general"), [ann, ben], "still on n2");
    two.p.leave("general", ann.id, "b1");
    assert.deepEqual(one.p.online("general"), [ben]);
  });

  it("keeps each room in name order as people come, go and rename, without re-sorting", () => {
    const [{ p }, other] = cluster("n1", "n2") as [ReturnType<typeof node>, ReturnType<typeof node>];
    const names = ["Zoë", "adam", "Émile", "bob", "Ångström", "Chen 陈", "eve", "Bob"];
    const users = names.map((name, i) => ({ id: `u${i}`, name, guest: false }));
    users.forEach((u, i) => p.join("general", u, `c${i}`));
    const expected = () => [...users].sort((a, b) => a.name.localeCompare(b.name) || (a.id < b.id ? -1 : 1));
    assert.deepEqual(p.online("general"), expected());
    p.leave("general", "u3", "c3");
    users.splice(3, 1);
    assert.deepEqual(p.online("general"), expected());
    // The same user arriving on another node under a new name (a guest who named themselves) moves them.
    const renamed = { id: "u0", name: "Aaron", guest: false };
    other.p.join("general", renamed, "c0b");
    users[0] = renamed;
    assert.deepEqual(p.online("general"), expected());
    assert.equal(p.online("general").filter((u) => u.id === "u0").length, 1);
  });

  it("a crowded room's deltas are coalesced over a window that grows with it", () => {
    assert.equal(windowOf(0), COALESCE_MS);
    assert.equal(windowOf(CROWD), COALESCE_MS);
    assert.equal(windowOf(1000), 2 * COALESCE_MS);
    assert.equal(windowOf(3000), 6 * COALESCE_MS);
    assert.equal(windowOf(1_000_000), MAX_COALESCE_MS);
    assert.equal(windowOf(3000, 1), 6, "scaled from the configured window");
  });

  it("a join's listing is capped in a crowd, keeps the joiner, and always has the total", () => {
    const { p } = node();
    const crowd = Array.from({ length: 30 }, (_, i) => ({ id: `u${i}`, name: `user ${String(i).padStart(2, "0")}`, guest: true }));
    crowd.forEach((u, i) => p.join("general", u, `c${i}`));
    const small = p.listing("general", "u29", 50);
    assert.equal(small.count, 30);
    assert.deepEqual(small.online, p.online("general"), "under the cap: everyone");
    const capped = p.listing("general", "u29", 10);
    assert.equal(capped.count, 30);
    assert.deepEqual(capped.online.map((u) => u.id), [...crowd.slice(0, 10).map((u) => u.id), "u29"], "the first ten by name, and the joiner");
    assert.equal(p.listing("general", "u3", 10).online.length, 10, "a joiner already listed is not added twice");
    assert.deepEqual(p.listing("empty", "u1"), { online: [], count: 0 });
  });

  it("relays typing only from a connection that joined the room, and throttles repeats", () => {
    const { p, published } = node();
    p.typing("general", ann, true, "c1");
    assert.equal(published.length, 0);
    p.join("general", ann, "c1");
    published.length = 0;
    p.typing("general", ann, true, "c1");
    p.typing("general", ann, true, "c1");
    p.typing("general", ann, true, "c1");
    assert.deepEqual(published, [{ type: "typing", room: "general", payload: { room: "general", user: ann, typing: true } }]);
    p.typing("general", ann, false, "c1");
    p.typing("general", ann, false, "c1");
    assert.equal(published.length, 2, "one 'stopped', and only after a 'typing'");
    p.typing("other", ann, true, "c1");
    assert.equal(published.length, 2);
  });
});
