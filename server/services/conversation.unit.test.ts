/** Mention parsing and emoji validation: pure functions, no server. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MAX_MENTIONS, parseMentions } from "./mentions";
import { isEmoji, summarize } from "./reactions";
import { excerptOf } from "./messages";

describe("parseMentions", () => {
  it("finds @names, distinct, in order, with @here", () => {
    assert.deepEqual(parseMentions("hi @alice and @Bob_Smith, @alice again; @here"), ["alice", "Bob_Smith", "here"]);
    assert.deepEqual(parseMentions("@HERE look"), ["here"]);
  });

  it("treats trailing punctuation as punctuation and e-mail addresses as addresses", () => {
    assert.deepEqual(parseMentions("thanks @ada. and @grace-h!"), ["ada", "grace-h"]);
    assert.deepEqual(parseMentions("mail ada@example.com or x@@y"), []);
    assert.deepEqual(parseMentions("@ alone, @"), []);
  });

  it("reads names in any script", () => {
    assert.deepEqual(parseMentions("你好 @小明，@Zoë"), ["小明", "Zoë"]);
  });

  it("is bounded", () => {
    const body = Array.from({ length: 50 }, (_, i) => `@u${i}`).join(" ");
    assert.equal(parseMentions(body).length, MAX_MENTIONS);
  });
});

describe("isEmoji", () => {
  it("accepts one emoji grapheme: plain, with a skin tone, a ZWJ sequence, a flag, a keycap", () => {
    for (const e of ["👍", "❤️", "❤", "👍🏽", "👩‍💻", "👨‍👩‍👧‍👦", "🇫🇷", "1️⃣", "🎉", "✅"]) assert.equal(isEmoji(e), true, e);
  });

  it("refuses text, two emoji, an emoji with text, and empty input", () => {
    for (const e of ["", "a", "ok", "👍👍", "👍 ", " 👍", "👍a", "<b>", "\u200d", "1", "#", "🇫", "©a"]) assert.equal(isEmoji(e), false, JSON.stringify(e));
    assert.equal(isEmoji("👍".repeat(40)), false);
  });
});

describe("summarize", () => {
  it("groups by emoji in first-use order, counts everyone, lists the first 20", () => {
    const at = (s: number) => new Date(s * 1000);
    const rows = [
      { emoji: "🎉", userId: "b", createdAt: at(2) },
      { emoji: "👍", userId: "a", createdAt: at(1) },
      ...Array.from({ length: 25 }, (_, i) => ({ emoji: "👍", userId: `u${i}`, createdAt: at(10 + i) })),
    ];
    const out = summarize(rows);
    assert.deepEqual(out.map((r) => [r.emoji, r.count]), [["👍", 26], ["🎉", 1]]);
    assert.equal(out[0]!.users.length, 20);
    assert.equal(out[0]!.users[0], "a");
  });
});

describe("excerptOf", () => {
  it("is one line of at most 140 characters, never half an emoji", () => {
    assert.equal(excerptOf("a\n\n  b"), "a b");
    const long = excerptOf("😀".repeat(200));
    assert.equal(Array.from(long).length, 140);
    assert.ok(!long.includes("\ufffd"));
  });
});
