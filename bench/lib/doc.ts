/** docs/benchmarks.md, written by `npm run bench` from one run's results. */
import { median } from "./stats";
import { ratioTable, SERVER_LABEL, stepAt, type Results } from "./report";

/** What would close each target's gap (issue 8, section 2), by the table row it belongs to. */
const LEVERS: [RegExp, string][] = [
  [/SSE: server CPU/, "SSE frames are already built once per event and the same buffer written to every stream (Emission.once in server/realtime/streams.ts), and a send's fixed cost is about 0.8 µs per delivery at 500 streams; the rest is the same per-delivery write cost as on Socket.IO (see the CPU row): at 50 msg/s each event is one write per stream, while at high rates the writes of several events coalesce and Relay's SSE sustains more than bare SSE; coalescing the events of one turn into one write per stream at every rate is the lever"],
  [/SSE: max sustainable/, "the per-send fixed cost, as for Socket.IO; the per-stream work is one write of a shared buffer"],
  [/max sustainable/, "a send's own cost is now about 0.4 ms of CPU (prepared statements, group commit, one FTS5 row per message for search); the profile (`npm run bench -- --profile`, read with bench/lib/proftop.ts) puts the rest in the per-delivery write path of the same `io.to(room).emit` the baseline uses, where the kernel's writev costs Relay about twice the baseline's per delivery; batching the frames of sends that commit together into one write per socket is the lever left"],
  [/CPU per delivered/, "measured apart: with every subscriber connected and nothing sent, Relay idles at well under 1 % of a core; a send's fixed cost is about 0.4 ms (0.8 µs per delivery at 500 subscribers); the rest is the per-socket write of the same pre-encoded frame the baseline writes, costing Relay more per delivery in the kernel's writev (the profiles show it; the cause is not found: frame size is not it, the baseline costs the same with 1,200-byte bodies); batching the frames of sends that commit together into one write per socket would share that cost"],
  [/latency p50 \/ p99 at 100/, "queueing behind the per-send cost: once a send costs less CPU than the interval between sends, p99 falls to the baseline's"],
  [/send→ack/, "the ack already waits only for the commit (group commit, fan-out on the next turn of the event loop); under load it queues behind fan-outs of earlier sends on the same core: a smaller per-delivery cost closes it"],
  [/idle RSS/, "per-connection state beyond Socket.IO's own: the subscription and presence entries and the principal kept for revalidation"],
  [/clients connect/, "the handshake's session check and the join's reads are prepared statements now, and presence answers a capped list; what remains per join is the newest page (50 messages, about 25 KB) that every join answer carries and the baseline does not send: its read and encoding, and its bytes on the wire; a per-room cache of the newest page (every joiner of a storm reads the same one) would remove the read"],
  [/history page/, "the page is one prepared range read on (roomId, seq) with its author, replies and reactions; what remains is the HTTP route's own cost"],
  [/still missing/, "a delivery that never arrives is a broken delivery promise, not a speed problem: find it with the logs of the run"],
];

const f = (x: number, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : "n/a");

/** Per-server ramp detail: median of each figure per offered rate. */
function rampDetail(res: Results): string {
  const out: string[] = [];
  for (const server of Object.keys(SERVER_LABEL)) {
    const ramps = res.ramps.filter((r) => r.server === server);
    if (!ramps.length) continue;
    const rates = [...new Set(ramps.flatMap((r) => r.steps.map((s) => s.rate)))].sort((a, b) => a - b);
    const idle = ramps.flatMap((r) => (r.idleCpuShare === undefined ? [] : [`${(r.idleCpuShare * 100).toFixed(1)} %`]));
    out.push(
      `**${SERVER_LABEL[server]}** (max sustained per rep: ${ramps.map((r) => r.maxSustained).join(", ")} msg/s` +
        (idle.length ? `; idle with every subscriber connected, per rep: ${idle.join(", ")} of a core` : "") +
        ")",
      "",
    );
    out.push("| offered msg/s | reps | p50 ms | p99 ms | late (> drain) / missing at the end | CPU µs/delivery | server's share of a core | generator's share | send→ack p50 / p99 ms | generator-bound reps |", "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |");
    for (const rate of rates) {
      const steps = ramps.map((r) => stepAt(r, rate)).filter((s) => !!s);
      const m = (pick: (s: (typeof steps)[number]) => number) => median(steps.map(pick));
      const ack = steps.some((s) => s.ack) ? `${f(m((s) => s.ack?.p50 ?? NaN))} / ${f(m((s) => s.ack?.p99 ?? NaN))}` : "—";
      out.push(
        `| ${rate} | ${steps.length} | ${f(m((s) => s.p50))} | ${f(m((s) => s.p99))} | ${steps.reduce((n, s) => n + (s.missingAtDrain ?? 0) - s.lost, 0)} / ${steps.reduce((n, s) => n + s.lost, 0)} | ${f(m((s) => s.serverCpuUsPerDelivery))} | ${f(m((s) => (s.serverCpuShare ?? NaN) * 100), 0)} % | ${f(m((s) => (s.generatorCpuShare ?? NaN) * 100), 0)} % | ${ack} | ${steps.filter((s) => s.generatorBound).length} |`,
      );
    }
    out.push("");
  }
  return out.join("\n");
}

function missed(res: Results): string {
  const rows = ratioTable(res).rows.filter((r) => r.verdict.includes("missed"));
  if (!rows.length) return "Every target with a figure in this run is met.";
  return rows
    .map((r) => {
      const lever = LEVERS.find(([re]) => re.test(r.measure))?.[1] ?? "see issue 8, section 2";
      return `- **${r.measure}**: Relay ${r.cells[0]}, target ${r.target}, ${r.verdict.replace(/\*\*/g, "")}. What would close it: ${lever}.`;
    })
    .join("\n");
}

/** The most of a core each server got in any step: a saturated server far below 100 % was starved of CPU. */
function cpuShares(res: Results): string {
  return Object.keys(SERVER_LABEL)
    .filter((s) => res.ramps.some((r) => r.server === s))
    .map((s) => `${SERVER_LABEL[s]} ${f(Math.max(...res.ramps.filter((r) => r.server === s).flatMap((r) => r.steps.map((x) => (x.serverCpuShare ?? NaN) * 100)).filter(Number.isFinite)), 0)} %`)
    .join(", ");
}

export function benchmarksDoc(res: Results, table: string): string {
  const meta = res.meta;
  const versions = Object.entries(meta)
    .filter(([k]) => k.startsWith("version "))
    .map(([k, v]) => `${k.slice(8)} ${v}`)
    .join(", ");
  const storms = res.storms.length
    ? ["| server | rep | clients | joined | seconds | RSS per connection KB |", "| --- | ---: | ---: | ---: | ---: | ---: |", ...res.storms.map((s) => `| ${SERVER_LABEL[s.server]} | ${s.rep} | ${s.clients} | ${s.joined} | ${f(s.seconds, 2)} | ${f(s.rssPerConnection / 1024)} |`)].join("\n")
    : "not measured";
  return `# Benchmarks

Written by \`npm run bench\` (bench/run.ts) on ${String(meta.date).slice(0, 10)}; raw runs in
[bench/results/latest.json](../bench/results/latest.json), chart below. Re-run it to refresh this page;
\`npm run bench -- --quick\` (about a minute, small sizes) only checks that the bench still works.

- **Machine:** ${meta.machine}. Load average ${meta.loadavgAtStart} at the start, ${meta.loadavgAtEnd} at the end.
- **Pinning:** ${meta.pinning}.
- **Versions:** ${versions}.
- **Sizes:** ${meta.subscribers} subscribers in one room, ${meta.messageBytes}-byte message bodies, ${meta.reps} rep(s),
  ramp steps of ${meta.stepSeconds} s at ${meta.rates} msg/s, a ${meta.stormClients}-client connect storm,
  history on a room of ${Number(meta.historyMessages).toLocaleString("en")} messages.
- **PostgreSQL + Redis:** ${meta.postgres}.
- **Conditions:** ${meta.conditions ? `${meta.conditions}. ` : ""}Reps are interleaved across servers so that
  whatever else runs on the machine hits all of them alike; read the ratios, and the ranges.
  The most of a core any server got in a step: ${cpuShares(res)}. A server that falls behind
  while using far less than a whole core was waiting for the CPU, not busy: then the rates and
  latencies measure the machine's load more than the server, and the CPU per delivery (CPU time,
  not wall time) is the figure to read.
${meta.partial ? "- **Partial run:** the run was stopped before its end; the figures cover the reps it completed.\n" : ""}${res.errors.length ? `- **Errors during the run:** ${res.errors.join("; ")}\n` : ""}
## Relay against the baselines

${table}

Ratios are of medians; the bracket after a ratio is the range of the per-rep ratios. "Ramp ceiling"
means the top rate of the ramp was still sustained (the real maximum is higher); "generator-bound"
means the load generator used over 90 % of its core at the maximum, so the baseline's figure is a
floor, and Relay's ratio against it an upper bound.

![Fan-out latency against offered rate](benchmarks-latency.svg)

## What is measured, and how

- **Servers.** Each server is started fresh for each rep, on 127.0.0.1, pinned with \`taskset\` to
  core 0 while the generator (the bench process) is pinned to the other core:
  - **Relay**: the production build (\`npm run build\`) started the way users start it,
    \`node --enable-source-maps dist/index.mjs\` with NODE_ENV=production, on a throwaway SQLite file:
    better-auth sessions, persistence, the room log, presence, authorization all on. Because every
    bench client comes from one address and a few users send thousands of messages, the abuse limits
    are raised through their documented variables (RATE_MESSAGES_MAX, RATE_SIGNIN_MAX,
    SSE_MAX_PER_ADDRESS, SSE_MAX_TOTAL); LOG_LEVEL=warn.
  - **minimal Socket.IO** (bench/servers/socketio-min.mjs):
    \`socket.on("chat message", m => io.emit("chat message", m))\`, default options.
  - **bare ws** (bench/servers/ws-min.mjs): every message sent to every client of a \`ws\` server.
  - **bare SSE** (bench/servers/sse-min.mjs): node:http, POST /send writes one event to every stream.
- **Generator.** Our own clients on \`node:net\` (bench/lib/clients.ts): RFC 6455 with a zero mask key,
  Engine.IO v4 / Socket.IO v5 (handshake, pings, acks), SSE with chunked decoding. A delivery costs
  the generator a frame-header parse, a prefix compare and two numbers read out of the body: every
  body starts with \`~<id>~<send time>~\`, padded to the message size. It reports its own CPU share per
  step; a step above 90 % is flagged generator-bound.
- **Clients sign in like real ones.** Each Relay client is a guest (POST /api/auth/sign-in/anonymous,
  session cookie), connects over the Socket.IO WebSocket transport with that cookie, sends
  \`room:join\` and waits for its ack; four more guests send, round robin, \`message:send\` with an
  ack and a fresh clientId each (on the baselines, four sender connections too; senders also receive,
  uncounted). The SSE subscribers open \`/api/rooms/general/feed\` with their cookie.
  Sign-in happens before any clock starts, once, on a server of its own; each rep then starts a fresh
  server on a copy of the database taken right after those sign-ins (sessions included) and uses the
  same cookies.
- **Ramp.** Offered rate steps (paced by the clock, not by replies); after each step the generator
  waits up to ${CFG_DRAIN} for every delivery. A rate is sustained when p99 fan-out latency (send
  time to arrival at a subscriber, over every delivery of the step) is ≤ 100 ms and every delivery
  arrived within the drain time. At the end of the ramp the generator waits for late deliveries
  (${meta.settle}); what has not arrived then is counted as missing (lost, or still queued in a
  server that fell far behind; the baselines send no acks, so for them the wait can end while a
  starved server still holds queued sends, and their missing count is no evidence of loss); the maximum sustained rate is the highest with every lower
  step sustained too. The ramp stops at the first failing step once 50, 100 and 200 msg/s have been
  measured. The same steps give the latency at 100 and 200 msg/s, the CPU per delivery at 50 msg/s
  (server utime+stime from /proc/<pid>/stat over the step, divided by deliveries to subscribers), and,
  for Relay, send→ack latency.
- **Between parts** the bench waits (up to 60 s) until the server uses under 15 % of a core, so that
  a storm's leaves or a ramp's backlog do not land in the next part's figures.
- **Connect storm.** ${meta.stormClients} clients connect at once (at most 100 handshakes in flight);
  on Relay each also joins the room and the clock stops at the last join ack. On the baselines the
  clock stops at the last connect. After 3 s idle, (RSS − RSS before the storm) / clients is the idle
  memory per connection.
- **History.** Relay creates a database and stores one real message; with the server stopped the
  bench copies that message's rows (message + log_event, same formats) with direct SQL to
  ${Number(meta.historyMessages).toLocaleString("en")} messages, gapless seqs, and moves room.lastSeq. Then, on a
  fresh server: GET /api/rooms/general/messages?before=<random seq> (a page of 50), the newest page, and
  resume (GET …/messages?after=<random seq>&wait=0, one replay page), sequentially, p50/p99.
- **PostgreSQL + Redis.** The same fan-out (fixed rates, no ramp) on a scratch PostgreSQL database,
  once with the in-memory bus and once with REDIS_URL (a unique REDIS_PREFIX), as Relay-process CPU per
  delivery. PostgreSQL's and Redis's own CPU is not included.

## Ramp detail

${rampDetail(res)}
## Connect storms

${storms}

## Where a target is missed

${missed(res)}

Re-run \`npm run bench\` after each change of the hot path (issue 8, section 2).

## The hot path so far

- **The send path** (server/store/hot.ts): the room, membership, poster (ban, role, mute) and
  idempotency reads are prepared statements on Prisma's own SQLite connection; the append
  (counter, message, log row, search index, mentions, reply) is one synchronous transaction,
  and the sends that arrive in one turn of the event loop share it (group commit: one WAL sync
  for all of them, each send its own savepoint, each ack after the commit). On PostgreSQL the
  append is one statement. Server CPU per send with nobody listening: about 2.9 ms through
  Prisma; about 0.4 ms now.
- **Search's index write** was most of what a send still cost: SQLite's short-query index
  held a B-tree row per distinct unigram and bigram (about 150 for a 100-character English
  message, about 2 ms of CPU per send, measured with and without it). It is now one FTS5 row
  of character tokens per message (about 0.1 ms); PostgreSQL keeps the gram table.
- **The ack** no longer waits for the fan-out: both buses deliver locally on the next turn of
  the event loop.
- **Fan-out:** \`io.to(room).emit\` encodes once per event; SSE and \`/ws\` build each event's frame once
  and write the same buffer to every subscriber.
- **Joins:** the handshake checks better-auth's signed cookie in-process and reads the session
  with one prepared statement (better-auth itself still handles refresh, expiry and anything
  unusual); the join's reads (newest page with replies and reactions, last message,
  broadcasts, read position) are prepared statements. A 3,000-client storm went from about
  18 s to under 4 s on this machine, and memory per connection from about 110 KB to about
  23 KB (most of it was the join answers' full online lists).
- **Presence:** deltas only when a user's first or last connection changes, coalesced per room
  (100 ms, longer in a crowded room), each with the room's count; a join answers the first 100
  names and the count. Each room's users are kept in name order as they come and go, so no
  join sorts the room.

## Other benchmarks

\`npm run bench:overhead\` (bench/transport-overhead.ts) measures bytes on the wire per delivered
message on each transport; its table is in [transports.md](transports.md).
`;
}

const CFG_DRAIN = "the drain time (3 s)";
