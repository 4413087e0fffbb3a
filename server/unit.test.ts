/**
 * Unit tests for the pieces that need no server: environment parsing, slugs,
 * the rate limiter (with a fake clock) and presence (with a fake bus).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Bus, BusEvent } from "./bus";
import { parseEnv } from "./env";
import { createRateLimiter } from "./lib/rate-limit";
import { slugify } from "./lib/slug";
import { createPresenceService } from "./services/presence";

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

  it("gives names without ASCII a stable hashed slug, distinct per name", () => {
    const a = slugify("设计团队");
    const b = slugify("产品团队");
    assert.match(a, /^room-[0-9a-f]{8}$/);
    assert.match(b, /^room-[0-9a-f]{8}$/);
    assert.equal(slugify("设计团队"), a, "same name, same slug");
    assert.equal(slugify("  设计团队 "), a, "surrounding spaces do not matter");
    assert.notEqual(a, b);
    assert.match(slugify("🎉🎉"), /^room-[0-9a-f]{8}$/);
  });
});

describe("createRateLimiter", () => {
  it("allows max hits per window, refuses the next, and allows again after the window", () => {
    let t = 1_000;
    const limiter = createRateLimiter(3, 10_000, () => t);
    assert.equal(limiter.take("a"), true);
    assert.equal(limiter.take("a"), true);
    assert.equal(limiter.take("a"), true);
    assert.equal(limiter.take("a"), false);
    assert.equal(limiter.take("a"), false);
    // Another key has its own budget.
    assert.equal(limiter.take("b"), true);
    t += 9_999;
    assert.equal(limiter.take("a"), false, "still inside the window");
    t += 1;
    assert.equal(limiter.take("a"), true, "a new window");
    assert.equal(limiter.take("a"), true);
    assert.equal(limiter.take("a"), true);
    assert.equal(limiter.take("a"), false);
  });

  it("sweeps keys whose window has passed so size() shrinks", () => {
    let t = 0;
    const limiter = createRateLimiter(1, 1_000, () => t);
    for (let i = 0; i < 50; i++) limiter.take(`k${i}`);
    assert.equal(limiter.size(), 50);
    t += 500;
    limiter.take("fresh");
    assert.equal(limiter.size(), 51, "nothing expired yet");
    t += 600; // k0..k49 are 1100 ms old, "fresh" only 600 ms
    limiter.take("other");
    assert.equal(limiter.size(), 2, "only the live keys are left");
    t += 5_000;
    limiter.take("last");
    assert.equal(limiter.size(), 1);
  });
});

describe("presence service", () => {
  function fakeBus() {
    const events: BusEvent[] = [];
    const bus: Bus = {
      kind: "memory",
      publish: (e) => void events.push(e),
      subscribe: () => () => {},
      close: async () => {},
    };
    return { bus, events };
  }
  const ann = { id: "u-ann", name: "Ann" };
  const ben = { id: "u-ben", name: "Ben" };
  const onlineNames = (e: BusEvent | undefined) => {
    assert.ok(e && e.type === "presence", `expected a presence event, got ${JSON.stringify(e)}`);
    return e.payload.online.map((u) => u.name);
  };

  it("counts two connections of one user once and keeps them online until the last leaves", () => {
    const { bus, events } = fakeBus();
    const p = createPresenceService(bus);
    p.join("general", ann, "c1");
    p.join("general", ann, "c2");
    assert.equal(p.count("general"), 1);
    assert.deepEqual(p.online("general"), [ann]);
    // Every join publishes, so the second tab gets the list too.
    assert.equal(events.length, 2);
    assert.deepEqual(onlineNames(events[1]), ["Ann"]);

    p.join("general", ben, "c3");
    assert.equal(p.count("general"), 2);
    assert.deepEqual(onlineNames(events.at(-1)), ["Ann", "Ben"]);

    const before = events.length;
    p.leave("general", ann.id, "c1");
    assert.equal(p.count("general"), 2, "Ann still has c2");
    assert.equal(events.length, before, "no change, no event");
    assert.deepEqual(p.roomsOf("c1"), []);
    assert.deepEqual(p.roomsOf("c2"), ["general"]);

    p.leave("general", ann.id, "c2");
    assert.equal(p.count("general"), 1);
    assert.deepEqual(onlineNames(events.at(-1)), ["Ben"]);

    p.leave("general", ben.id, "c3");
    assert.equal(p.count("general"), 0);
    assert.deepEqual(p.online("general"), []);
    const last = events.at(-1);
    assert.ok(last?.type === "presence");
    assert.equal(last.room, "general");
    assert.deepEqual(last.payload, { room: "general", online: [] });
  });

  it("dropConnection removes a connection from every room and publishes each change", () => {
    const { bus, events } = fakeBus();
    const p = createPresenceService(bus);
    p.join("general", ann, "c1");
    p.join("random", ann, "c1");
    p.join("random", ben, "c2");
    assert.deepEqual(p.roomsOf("c1").sort(), ["general", "random"]);
    events.length = 0;

    p.dropConnection("c1");
    assert.equal(p.count("general"), 0);
    assert.equal(p.count("random"), 1);
    assert.deepEqual(p.roomsOf("c1"), []);
    assert.deepEqual(
      events.map((e) => (e.type === "presence" ? [e.room, e.payload.online.map((u) => u.name)] : null)).sort(),
      [
        ["general", []],
        ["random", ["Ben"]],
      ],
    );

    // Dropping an unknown or already dropped connection is a no-op.
    events.length = 0;
    p.dropConnection("c1");
    p.dropConnection("nobody");
    assert.equal(events.length, 0);

    p.dropConnection("c2");
    assert.equal(p.count("random"), 0);
    assert.deepEqual(p.roomsOf("c2"), []);
  });

  it("returns its maps to empty after everyone leaves (typing is then refused)", () => {
    const { bus, events } = fakeBus();
    const p = createPresenceService(bus);
    for (let i = 0; i < 20; i++) {
      p.join(`room-${i % 4}`, { id: `u${i % 5}`, name: `U${i % 5}` }, `conn-${i}`);
    }
    for (let i = 0; i < 20; i++) {
      if (i % 2) p.dropConnection(`conn-${i}`);
      else p.leave(`room-${i % 4}`, `u${i % 5}`, `conn-${i}`);
    }
    for (let r = 0; r < 4; r++) assert.equal(p.count(`room-${r}`), 0);
    for (let i = 0; i < 20; i++) assert.deepEqual(p.roomsOf(`conn-${i}`), []);
    // A connection that has left may no longer relay typing.
    events.length = 0;
    p.typing("room-0", { id: "u0", name: "U0" }, true, "conn-0");
    assert.equal(events.length, 0);
  });

  it("relays typing only from a connection that joined the room", () => {
    const { bus, events } = fakeBus();
    const p = createPresenceService(bus);
    p.typing("general", ann, true, "c1");
    assert.equal(events.length, 0);
    p.join("general", ann, "c1");
    events.length = 0;
    p.typing("general", ann, true, "c1");
    assert.deepEqual(events, [{ type: "typing", room: "general", payload: { room: "general", user: ann, typing: true } }]);
    p.typing("other", ann, true, "c1");
    assert.equal(events.length, 1);
  });
});
