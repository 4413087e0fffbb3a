/**
 * From raw runs to what people read: per-measure medians and ranges, the
 * ratio table with the issue's targets, the latency chart (hand-written
 * SVG), and docs/benchmarks.md. Pure functions of the results object.
 */
import { median, summarize, verdict, type Summary } from "./stats";

export const SERVER_LABEL: Record<string, string> = {
  relay: "Relay (Socket.IO)",
  socketio: "minimal Socket.IO",
  ws: "bare ws",
  "relay-sse": "Relay SSE",
  sse: "bare SSE",
  "relay-pg": "Relay PG, memory bus",
  "relay-pg-redis": "Relay PG, Redis bus",
};

export interface Step {
  rate: number;
  p50: number;
  p99: number;
  lost: number;
  missingAtDrain: number;
  duplicates: number;
  serverCpuUsPerDelivery: number;
  serverCpuShare?: number;
  generatorCpuShare?: number;
  generatorBound: boolean;
  ack?: { p50: number; p99: number; errors: number; missing?: number };
}
export interface Ramp {
  server: string;
  rep: number;
  steps: Step[];
  maxSustained: number;
  /** Share of a core the server used with every subscriber connected and nothing sent. */
  idleCpuShare?: number;
  /** The ramp's top step was sustained too: the real maximum is higher. */
  ceilingReached: boolean;
  generatorBoundAtMax: boolean;
}
export interface Storm {
  server: string;
  rep: number;
  clients: number;
  joined: number;
  seconds: number;
  rssPerConnection: number;
  failed: number;
}
export interface History {
  rep: number;
  messages: number;
  page: { p50: number; p99: number; errors: number };
  newest: { p50: number; p99: number; errors: number };
  resume: { p50: number; p99: number; errors: number };
}
export interface Results {
  meta: Record<string, string | number | boolean>;
  ramps: Ramp[];
  storms: Storm[];
  history: History[];
  errors: string[];
}

const fmt = (x: number, digits = 1) => (Number.isFinite(x) ? (Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(digits)) : "n/a");
export const showSummary = (s: Summary, digits = 1, unit = "") =>
  s.n === 0 ? "n/a" : s.n === 1 || s.min === s.max ? `${fmt(s.median, digits)}${unit}` : `${fmt(s.median, digits)}${unit} [${fmt(s.min, digits)}–${fmt(s.max, digits)}]`;

/** One figure per rep of one server, summarized. */
export function perRep(ramps: Ramp[], server: string, pick: (r: Ramp) => number): Summary {
  return summarize(ramps.filter((r) => r.server === server).map(pick));
}

export function stepAt(r: Ramp, rate: number): Step | undefined {
  return r.steps.find((s) => s.rate === rate);
}

export const RATES = { cpu: 50, latencyLow: 100, latencyHigh: 200, ack: 100 } as const;

interface Row {
  measure: string;
  cells: string[];
  ratio: string;
  target: string;
  verdict: string;
}

/** Ratio of two medians, with the range of per-rep ratios when there are several reps. */
function ratioOf(a: number[], b: number[]): { value: number; text: string } {
  const value = median(a) / median(b);
  const pairs = a.map((x, i) => x / (b[i] ?? NaN)).filter(Number.isFinite);
  const s = summarize(pairs);
  return { value, text: Number.isFinite(value) ? (s.n > 1 && s.min !== s.max ? `${value.toFixed(2)}× [${s.min.toFixed(2)}–${s.max.toFixed(2)}]` : `${value.toFixed(2)}×`) : "n/a" };
}

const mark = (v: { met: boolean; by: number }, how: string) => (Number.isNaN(v.by) ? "no ratio (a figure is 0 or missing)" : `${v.met ? "**met**" : "**missed**"} (${how})`);

export function ratioTable(res: Results): { rows: Row[]; markdown: string } {
  const reps = (server: string, pick: (r: Ramp) => number) => res.ramps.filter((r) => r.server === server).sort((a, b) => a.rep - b.rep).map(pick);
  const stormReps = (server: string, pick: (s: Storm) => number) => res.storms.filter((s) => s.server === server).sort((a, b) => a.rep - b.rep).map(pick);
  const rows: Row[] = [];
  const cell = (xs: number[], digits = 1, unit = "") => showSummary(summarize(xs), digits, unit);

  // Max sustainable rate.
  const maxOf = (r: Ramp) => r.maxSustained;
  const relayMax = reps("relay", maxOf);
  const sioMax = reps("socketio", maxOf);
  const ceiling = (server: string) => (res.ramps.some((r) => r.server === server && r.ceilingReached) ? " (ramp ceiling)" : "");
  const genBound = (server: string) => (res.ramps.some((r) => r.server === server && r.generatorBoundAtMax) ? " (generator-bound)" : "");
  {
    const rt = ratioOf(relayMax, sioMax);
    rows.push({
      measure: "max sustainable send rate, p99 ≤ 100 ms and 0 lost (msg/s)",
      cells: [cell(relayMax, 0) + ceiling("relay"), cell(sioMax, 0) + ceiling("socketio") + genBound("socketio"), cell(reps("ws", maxOf), 0) + ceiling("ws") + genBound("ws")],
      ratio: `${rt.text} of minimal Socket.IO; ${ratioOf(relayMax, reps("ws", maxOf)).text} of bare ws`,
      target: "≥ 1.0× minimal Socket.IO",
      verdict: mark(verdict(rt.value, 1, "higher"), `${rt.value.toFixed(2)}×`),
    });
  }
  // CPU per delivery.
  const cpuAt = (rate: number) => (r: Ramp) => stepAt(r, rate)?.serverCpuUsPerDelivery ?? NaN;
  {
    const a = reps("relay", cpuAt(RATES.cpu));
    const b = reps("socketio", cpuAt(RATES.cpu));
    const rt = ratioOf(a, b);
    rows.push({
      measure: `server CPU per delivered message at ${RATES.cpu} msg/s (µs)`,
      cells: [cell(a, 1), cell(b, 1), cell(reps("ws", cpuAt(RATES.cpu)), 1)],
      ratio: `${rt.text} of minimal Socket.IO; ${ratioOf(a, reps("ws", cpuAt(RATES.cpu))).text} of bare ws`,
      target: "≤ 1.0× minimal Socket.IO",
      verdict: mark(verdict(rt.value, 1, "lower"), `${rt.value.toFixed(2)}×`),
    });
  }
  // Latency at 100 and 200.
  for (const rate of [RATES.latencyLow, RATES.latencyHigh]) {
    const p = (q: "p50" | "p99") => (r: Ramp) => stepAt(r, rate)?.[q] ?? NaN;
    const a50 = reps("relay", p("p50"));
    const a99 = reps("relay", p("p99"));
    const lateAt = (server: string) => res.ramps.filter((r) => r.server === server).reduce((n, r) => n + (stepAt(r, rate)?.missingAtDrain ?? 0), 0);
    const both = (server: string) => `${cell(reps(server, p("p50")))} / ${cell(reps(server, p("p99")))}${lateAt(server) ? ` (${lateAt(server)} over 3 s late or lost)` : ""}`;
    const v = verdict(median(a99), 50, "lower");
    rows.push({
      measure: `fan-out latency p50 / p99 at ${rate} msg/s (ms)`,
      cells: [both("relay"), both("socketio"), both("ws")],
      ratio: `p99 ${ratioOf(a99, reps("socketio", p("p99"))).text} of minimal Socket.IO; p50 ${ratioOf(a50, reps("socketio", p("p50"))).text}`,
      target: rate === RATES.latencyLow ? "p99 ≤ 50 ms" : "—",
      verdict: rate === RATES.latencyLow ? mark(v, `${fmt(median(a99))} ms, ${v.by.toFixed(2)}× the bound`) : "",
    });
  }
  // send→ack.
  for (const rate of [RATES.cpu, RATES.ack]) {
    const a50 = reps("relay", (r) => stepAt(r, rate)?.ack?.p50 ?? NaN);
    const a99 = reps("relay", (r) => stepAt(r, rate)?.ack?.p99 ?? NaN);
    const v = verdict(median(a99), 20, "lower", true);
    rows.push({
      measure: `send→ack p50 / p99 at ${rate} msg/s (ms)`,
      cells: [`${cell(a50)} / ${cell(a99)}`, "no ack", "no ack"],
      ratio: "—",
      target: rate === RATES.ack ? "p99 < 20 ms (SQLite)" : "—",
      verdict: rate === RATES.ack ? mark(v, `${fmt(median(a99))} ms`) : "",
    });
  }
  // Idle memory.
  {
    const a = stormReps("relay", (s) => s.rssPerConnection / 1024);
    const b = stormReps("socketio", (s) => s.rssPerConnection / 1024);
    const rt = ratioOf(a, b);
    const n = res.storms[0]?.clients ?? 0;
    rows.push({
      measure: `idle RSS per connection, ${n} joined sockets (KB)`,
      cells: [cell(a), cell(b), cell(stormReps("ws", (s) => s.rssPerConnection / 1024))],
      ratio: `${rt.text} of minimal Socket.IO`,
      target: "≤ 1.3× minimal Socket.IO",
      verdict: mark(verdict(rt.value, 1.3, "lower"), `${rt.value.toFixed(2)}×`),
    });
  }
  // Storm.
  {
    const a = stormReps("relay", (s) => (s.joined === s.clients ? s.seconds : NaN));
    const b = stormReps("socketio", (s) => s.seconds);
    const failed = res.storms.filter((s) => s.server === "relay").reduce((n, s) => n + s.clients - s.joined, 0);
    const rt = ratioOf(a, b);
    const n = res.storms[0]?.clients ?? 0;
    rows.push({
      measure: `${n} clients connect (Relay: and join the room) (s)`,
      cells: [cell(a, 2) + (failed ? ` (${failed} joins failed)` : ""), cell(b, 2), cell(stormReps("ws", (s) => s.seconds), 2)],
      ratio: `${rt.text} of minimal Socket.IO's connect`,
      target: "< 2× minimal Socket.IO's connect",
      verdict: mark(verdict(rt.value, 2, "lower", true), `${rt.value.toFixed(2)}×`),
    });
  }
  // SSE.
  {
    const a = reps("relay-sse", cpuAt(RATES.cpu));
    const b = reps("sse", cpuAt(RATES.cpu));
    const eff = ratioOf(b, a);
    rows.push({
      measure: `SSE: server CPU per delivery at ${RATES.cpu} msg/s (µs)`,
      cells: [cell(a), "—", `${cell(b)} (bare SSE)`],
      ratio: `bare SSE's cost is ${eff.text} of Relay's`,
      target: "≥ 0.8× bare SSE's efficiency",
      verdict: mark(verdict(eff.value, 0.8, "higher"), `${eff.value.toFixed(2)}×`),
    });
    const am = reps("relay-sse", maxOf);
    const bm = reps("sse", maxOf);
    const rt = ratioOf(am, bm);
    rows.push({
      measure: "SSE: max sustainable send rate (msg/s)",
      cells: [cell(am, 0) + ceiling("relay-sse"), "—", `${cell(bm, 0)}${ceiling("sse")}${genBound("sse")} (bare SSE)`],
      ratio: `${rt.text} of bare SSE`,
      target: "≥ 0.8× bare SSE",
      verdict: mark(verdict(rt.value, 0.8, "higher"), `${rt.value.toFixed(2)}×`),
    });
  }
  // History.
  {
    const m = res.history[0]?.messages ?? 0;
    const page99 = res.history.map((h) => h.page.p99);
    const v = verdict(median(page99), 10, "lower", true);
    rows.push({
      measure: `history page of 50 at ${m.toLocaleString("en")} messages, p50 / p99 (ms)`,
      cells: [`${cell(res.history.map((h) => h.page.p50))} / ${cell(page99)}`, "—", "—"],
      ratio: "—",
      target: "p99 < 10 ms",
      verdict: mark(v, `${fmt(median(page99))} ms`),
    });
    rows.push({
      measure: "newest page, p50 / p99 (ms)",
      cells: [`${cell(res.history.map((h) => h.newest.p50))} / ${cell(res.history.map((h) => h.newest.p99))}`, "—", "—"],
      ratio: "—",
      target: "—",
      verdict: "",
    });
    rows.push({
      measure: "resume (replay after a cursor), p50 / p99 (ms)",
      cells: [`${cell(res.history.map((h) => h.resume.p50))} / ${cell(res.history.map((h) => h.resume.p99))}`, "—", "—"],
      ratio: "—",
      target: "—",
      verdict: "",
    });
  }
  // PostgreSQL + Redis.
  {
    const rates = [...new Set(res.ramps.filter((r) => r.server === "relay-pg").flatMap((r) => r.steps.map((s) => s.rate)))].sort((a, b) => a - b);
    for (const rate of rates) {
      const a = reps("relay-pg-redis", cpuAt(rate));
      const b = reps("relay-pg", cpuAt(rate));
      const p99 = (server: string) => cell(reps(server, (r) => stepAt(r, rate)?.p99 ?? NaN));
      rows.push({
        measure: `PostgreSQL: CPU per delivery at ${rate} msg/s, Redis bus / memory bus (µs; p99 ms)`,
        cells: [`${cell(a)} / ${cell(b)}; p99 ${p99("relay-pg-redis")} / ${p99("relay-pg")}`, "—", "—"],
        ratio: `Redis bus ${ratioOf(a, b).text} of the memory bus`,
        target: "—",
        verdict: "",
      });
    }
  }
  // Loss.
  {
    const relayish = res.ramps.filter((r) => r.server.startsWith("relay"));
    const lost = relayish.reduce((n, r) => n + r.steps.reduce((m, s) => m + s.lost, 0), 0);
    const late = relayish.reduce((n, r) => n + r.steps.reduce((m, s) => m + (s.missingAtDrain ?? 0) - s.lost, 0), 0);
    const lostSustained = relayish.reduce((n, r) => n + r.steps.filter((s) => s.rate <= r.maxSustained).reduce((m, s) => m + s.lost, 0), 0);
    const dup = relayish.reduce((n, r) => n + r.steps.reduce((m, s) => m + s.duplicates, 0), 0);
    const ackErrors = relayish.reduce((n, r) => n + r.steps.reduce((m, s) => m + (s.ack?.errors ?? 0), 0), 0);
    const ackLate = relayish.reduce((n, r) => n + r.steps.reduce((m, s) => m + (s.ack?.missing ?? 0), 0), 0);
    rows.push({
      measure: `deliveries still missing when the ramp ended (${res.meta.settle ?? "after the last step"}); in brackets: at or below the sustained rate`,
      cells: [`${lost} (${lostSustained}); ${late} more arrived over 3 s late; ${dup} duplicates; ${ackErrors} sends refused, ${ackLate} acks over 3 s late`, "", ""],
      ratio: "—",
      target: "0 lost",
      verdict: lost === 0 ? "**met**" : `**missed** (${lost} missing${lostSustained === 0 ? ", all past saturation" : ""})`,
    });
  }
  const markdown = [
    "| measure (median [range] over reps) | Relay | minimal Socket.IO | bare ws / bare SSE | ratio | target | verdict |",
    "| --- | --- | --- | --- | --- | --- | --- |",
    ...rows.map((r) => `| ${r.measure} | ${r.cells.join(" | ")} | ${r.ratio} | ${r.target} | ${r.verdict} |`),
  ].join("\n");
  return { rows, markdown };
}

// ---- The chart ---------------------------------------------------------------------------------

const COLORS: Record<string, string> = {
  relay: "#d62728",
  socketio: "#1f77b4",
  ws: "#2ca02c",
  "relay-sse": "#ff7f0e",
  sse: "#9467bd",
  "relay-pg": "#8c564b",
  "relay-pg-redis": "#e377c2",
};

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** p99 (solid) and p50 (dashed) fan-out latency against offered rate, median over reps, log scale. */
export function latencySvg(res: Results): string {
  const W = 760;
  const H = 440;
  const L = 70;
  const R = 190;
  const T = 40;
  const B = 50;
  const servers = Object.keys(SERVER_LABEL).filter((s) => res.ramps.some((r) => r.server === s));
  const series = servers.map((server) => {
    const ramps = res.ramps.filter((r) => r.server === server);
    const rates = [...new Set(ramps.flatMap((r) => r.steps.map((s) => s.rate)))].sort((a, b) => a - b);
    const pts = rates
      .map((rate) => {
        const steps = ramps.map((r) => stepAt(r, rate)).filter((s): s is Step => !!s);
        return { rate, p50: median(steps.map((s) => s.p50)), p99: median(steps.map((s) => s.p99)) };
      })
      .filter((p) => Number.isFinite(p.p99));
    return { server, pts };
  });
  const maxRate = Math.max(100, ...series.flatMap((s) => s.pts.map((p) => p.rate)));
  const yMin = 0.1;
  const yMax = 10_000;
  const x = (rate: number) => L + (rate / maxRate) * (W - L - R);
  const y = (ms: number) => {
    const v = Math.min(yMax, Math.max(yMin, ms));
    return T + (1 - (Math.log10(v) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin))) * (H - T - B);
  };
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="#fff"/>`);
  out.push(`<text x="${L}" y="22" font-size="14" font-weight="bold">Fan-out latency against offered send rate (${esc(String(res.meta.subscribers ?? ""))} subscribers)</text>`);
  for (const ms of [0.1, 1, 10, 100, 1000, 10000]) {
    out.push(`<line x1="${L}" x2="${W - R}" y1="${y(ms).toFixed(1)}" y2="${y(ms).toFixed(1)}" stroke="#ddd"/>`);
    out.push(`<text x="${L - 6}" y="${(y(ms) + 4).toFixed(1)}" text-anchor="end">${ms >= 1000 ? `${ms / 1000} s` : `${ms} ms`}</text>`);
  }
  out.push(`<line x1="${L}" x2="${W - R}" y1="${y(100).toFixed(1)}" y2="${y(100).toFixed(1)}" stroke="#999" stroke-dasharray="2 3"/>`);
  out.push(`<text x="${W - R - 4}" y="${(y(100) - 4).toFixed(1)}" text-anchor="end" fill="#666">p99 bound 100 ms</text>`);
  const tick = maxRate <= 400 ? 50 : maxRate <= 1000 ? 100 : 200;
  for (let r = 0; r <= maxRate; r += tick) {
    out.push(`<line x1="${x(r).toFixed(1)}" x2="${x(r).toFixed(1)}" y1="${H - B}" y2="${H - B + 4}" stroke="#333"/>`);
    out.push(`<text x="${x(r).toFixed(1)}" y="${H - B + 17}" text-anchor="middle">${r}</text>`);
  }
  out.push(`<line x1="${L}" x2="${W - R}" y1="${H - B}" y2="${H - B}" stroke="#333"/><line x1="${L}" x2="${L}" y1="${T}" y2="${H - B}" stroke="#333"/>`);
  out.push(`<text x="${(L + W - R) / 2}" y="${H - 12}" text-anchor="middle">offered rate (messages per second, each to every subscriber)</text>`);
  out.push(`<text transform="translate(16 ${(T + H - B) / 2}) rotate(-90)" text-anchor="middle">latency (log scale)</text>`);
  series.forEach(({ server, pts }, i) => {
    const color = COLORS[server] ?? "#000";
    for (const [q, dash] of [["p99", ""], ["p50", ' stroke-dasharray="5 4"']] as const) {
      if (!pts.length) continue;
      const d = pts.map((p, j) => `${j ? "L" : "M"}${x(p.rate).toFixed(1)} ${y(p[q]).toFixed(1)}`).join(" ");
      out.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="${q === "p99" ? 2 : 1.2}"${dash}/>`);
      if (q === "p99") for (const p of pts) out.push(`<circle cx="${x(p.rate).toFixed(1)}" cy="${y(p.p99).toFixed(1)}" r="2.5" fill="${color}"/>`);
    }
    const ly = T + 10 + i * 20;
    out.push(`<line x1="${W - R + 14}" x2="${W - R + 40}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="2"/>`);
    out.push(`<text x="${W - R + 46}" y="${ly + 4}">${esc(SERVER_LABEL[server] ?? server)}</text>`);
  });
  const ly = T + 10 + series.length * 20 + 10;
  out.push(`<text x="${W - R + 14}" y="${ly}" fill="#555">solid: p99, dashed: p50</text>`);
  out.push(`<text x="${W - R + 14}" y="${ly + 16}" fill="#555">median over ${esc(String(res.meta.reps ?? ""))} reps</text>`);
  out.push("</svg>");
  return out.join("\n") + "\n";
}
