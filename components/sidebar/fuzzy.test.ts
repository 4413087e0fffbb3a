import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fuzzyFilter, fuzzyScore } from "./fuzzy";

describe("fuzzy room matching", () => {
  const rooms = ["general", "design-reviews", "random", "Dev ops", "Café"];
  it("matches characters in order, ignoring case and accents", () => {
    assert.notEqual(fuzzyScore("dr", "design-reviews"), null);
    assert.equal(fuzzyScore("rd", "dr"), null);
    assert.notEqual(fuzzyScore("cafe", "Café"), null);
    assert.notEqual(fuzzyScore("GEN", "general"), null);
  });
  it("ranks prefixes and word starts first; an empty query keeps everything in order", () => {
    assert.deepEqual(fuzzyFilter("de", rooms, (r) => r), ["Dev ops", "design-reviews"]);
    assert.deepEqual(fuzzyFilter("dr", rooms, (r) => r)[0], "design-reviews");
    assert.deepEqual(fuzzyFilter("", rooms, (r) => r), rooms);
    assert.deepEqual(fuzzyFilter("zzz", rooms, (r) => r), []);
  });
});
