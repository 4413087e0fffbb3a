import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { continueRamp, Histogram, maxSustained, median, percentile, summarize, sustained, verdict } from "./lib/stats";

describe("percentile and median", () => {
  it("nearest rank, unsorted input left alone", () => {
    const v = [5, 1, 4, 2, 3];
    assert.equal(percentile(v, 0.5), 3);
    assert.equal(percentile(v, 0.99), 5);
    assert.equal(percentile(v, 0), 1);
    assert.deepEqual(v, [5, 1, 4, 2, 3]);
    assert.ok(Number.isNaN(percentile([], 0.5)));
    const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
    assert.equal(percentile(hundred, 0.99), 99);
    assert.equal(percentile(hundred, 0.5), 50);
  });
  it("median of odd and even counts, ignoring non-finite values", () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.equal(median([1, NaN, 3]), 2);
    assert.ok(Number.isNaN(median([])));
  });
  it("summarize gives median and range", () => {
    assert.deepEqual(summarize([10, 30, 20, NaN]), { median: 20, min: 10, max: 30, n: 3 });
    assert.equal(summarize([]).n, 0);
  });
});

describe("Histogram", () => {
  it("percentiles within one bucket of the exact ones", () => {
    const h = new Histogram(0.1, 1000);
    const values: number[] = [];
    for (let i = 0; i < 10_000; i++) {
      const v = ((i * 7919) % 10_000) / 50; // 0..200 ms, spread
      values.push(v);
      h.record(v);
    }
    for (const q of [0.5, 0.9, 0.99]) {
      const exact = percentile(values, q);
      assert.ok(Math.abs(h.percentile(q) - exact) <= 0.1 + 1e-9, `q=${q}: ${h.percentile(q)} vs ${exact}`);
    }
    assert.equal(h.count, 10_000);
  });
  it("clamps negatives and overflow, never reports above the max seen", () => {
    const h = new Histogram(1, 10);
    h.record(-5);
    h.record(50);
    assert.equal(h.percentile(0.5), 1);
    assert.equal(h.percentile(1), 50);
    h.reset();
    assert.ok(Number.isNaN(h.percentile(0.5)));
  });
});

describe("the ramp", () => {
  const ok = (rate: number) => ({ rate, p99: 10, lost: 0 });
  const slow = (rate: number) => ({ rate, p99: 250, lost: 0 });
  const lossy = (rate: number) => ({ rate, p99: 10, lost: 1 });
  it("a step is sustained at p99 ≤ 100 ms with nothing lost", () => {
    assert.ok(sustained({ rate: 1, p99: 100, lost: 0 }));
    assert.ok(!sustained({ rate: 1, p99: 100.1, lost: 0 }));
    assert.ok(!sustained(lossy(1)));
    assert.ok(!sustained({ rate: 1, p99: NaN, lost: 0 }));
  });
  it("goes on while steps pass, and past a failure until every required rate is measured", () => {
    assert.ok(continueRamp([], [50, 100, 200]));
    assert.ok(continueRamp([ok(50), ok(100)], [50, 100, 200]));
    assert.ok(continueRamp([ok(50), slow(100)], [50, 100, 200]));
    assert.ok(!continueRamp([ok(50), slow(100), slow(200)], [50, 100, 200]));
    assert.ok(!continueRamp([ok(50), ok(100), ok(200), lossy(300)], [50, 100, 200]));
  });
  it("the maximum is the top of the unbroken run of sustained steps", () => {
    assert.equal(maxSustained([ok(50), ok(100), slow(150), ok(200)]), 100);
    assert.equal(maxSustained([slow(50), ok(100)]), 0);
    assert.equal(maxSustained([ok(200), ok(50), ok(100)]), 200);
    assert.equal(maxSustained([]), 0);
  });
  it("verdicts say met or missed and by what ratio", () => {
    assert.deepEqual(verdict(80, 200, "higher"), { met: false, by: 0.4 });
    assert.deepEqual(verdict(9, 10, "lower", true), { met: true, by: 0.9 });
    assert.equal(verdict(10, 10, "lower", true).met, false);
    assert.equal(verdict(10, 10, "lower").met, true);
    assert.ok(Number.isNaN(verdict(NaN, 1, "lower").by));
  });
});
