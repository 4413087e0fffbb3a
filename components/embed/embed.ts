import { renderBody } from "../markdown/dom";

/**
 * The embed's whole client: a read-only live view of a public room over the
 * browser's native EventSource. No framework, so it stays small (the
 * markdown lexer is most of it); the test suite checks its compressed size
 * from the build output. Bodies are formatted by the same rules as in the app
 * (components/markdown), built with createElement and text nodes only.
 *
 * EventSource resumes by itself with Last-Event-ID after a dropped connection,
 * and the server replays what was missed from the database, so the view never
 * has gaps; ids already shown are skipped, so it never has duplicates.
 */
interface FeedMessage {
  id: string;
  seq: number;
  body: string;
  /** `guest`: signed in without an account; shown next to the name so nobody passes for a member. */
  author: { name: string; guest?: boolean };
  createdAt: string;
}

interface EmbedConfig {
  feed: string;
  locale: string;
  strings: { live: string; reconnecting: string; empty: string; guest: string; showMore: string; showLess: string };
}

/** Messages kept on screen: an embed shows recent conversation, not the archive. */
const MAX_SHOWN = 200;

const config = (window as unknown as { __EMBED__: EmbedConfig }).__EMBED__;
const log = document.getElementById("log") as HTMLOListElement;
const statusEl = document.getElementById("status") as HTMLSpanElement;
const empty = document.getElementById("empty") as HTMLParagraphElement;
const banners = document.getElementById("banners") as HTMLDivElement;
const shown = new Set<string>();
const time = new Intl.DateTimeFormat(config.locale, { hour: "2-digit", minute: "2-digit" });
const full = new Intl.DateTimeFormat(config.locale, { dateStyle: "medium", timeStyle: "short" });

function setStatus(live: boolean) {
  statusEl.textContent = live ? config.strings.live : config.strings.reconnecting;
  statusEl.dataset.state = live ? "live" : "reconnecting";
}

function hue(name: string): number {
  let h = 0;
  for (let i = 0; i < name.length; i++) h = (h * 31 + name.charCodeAt(i)) >>> 0;
  return h % 360;
}

function render(m: FeedMessage) {
  if (shown.has(m.id)) return;
  shown.add(m.id);
  const nearBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 60;
  const li = document.createElement("li");
  li.dataset.seq = String(m.seq);
  li.dataset.id = m.id;
  const who = document.createElement("span");
  who.className = "who";
  who.textContent = m.author.name;
  who.style.color = `hsl(${hue(m.author.name)} 55% var(--name-l))`;
  const when = document.createElement("time");
  when.dateTime = m.createdAt;
  when.title = full.format(new Date(m.createdAt));
  when.textContent = time.format(new Date(m.createdAt));
  const body = document.createElement("div");
  body.className = "body";
  li.append(who);
  if (m.author.guest) {
    const badge = document.createElement("span");
    badge.className = "guest";
    badge.textContent = config.strings.guest;
    li.append(badge);
  }
  li.append(when, body);
  // Keep seq order even if a replayed event lands after a live one.
  let next: Element | null = null;
  for (const el of Array.from(log.children).reverse()) {
    if (Number((el as HTMLElement).dataset.seq) < m.seq) break;
    next = el;
  }
  log.insertBefore(li, next);
  renderBody(body, m.body, config.strings); // in the document now, so it can be measured
  while (log.children.length > MAX_SHOWN) log.firstElementChild!.remove();
  empty.hidden = true;
  if (nearBottom) log.scrollTop = log.scrollHeight;
}

let source: EventSource | null = null;
let lastSeq = 0;
/** Wait before reopening a feed the browser gave up on (it retries by itself otherwise). */
const REOPEN_MS = 5_000;

/**
 * Opens the feed. EventSource resumes by itself with Last-Event-ID; when we
 * reopen it ourselves (back online, or after it gave up), the cursor goes in
 * ?lastEventId= so the server replays what was missed.
 */
function connect() {
  source?.close();
  const url = lastSeq ? `${config.feed}${config.feed.includes("?") ? "&" : "?"}lastEventId=${lastSeq}` : config.feed;
  source = new EventSource(url);
  source.onopen = () => setStatus(true);
  source.onerror = () => {
    setStatus(false);
    if (source?.readyState === EventSource.CLOSED) setTimeout(connect, REOPEN_MS);
  };
  source.addEventListener("message", (e) => {
    const m = JSON.parse((e as MessageEvent<string>).data) as FeedMessage;
    lastSeq = Math.max(lastSeq, m.seq);
    render(m);
  });
  // Moderation reaches embeds too: edits replace the text, deletions remove it.
  source.addEventListener("message-updated", (e) => {
    const { seq, message } = JSON.parse((e as MessageEvent<string>).data) as { seq: number; message: FeedMessage };
    lastSeq = Math.max(lastSeq, seq);
    const body = log.querySelector<HTMLElement>(`li[data-id="${CSS.escape(message.id)}"] .body`);
    if (body) renderBody(body, message.body, config.strings);
  });
  source.addEventListener("message-deleted", (e) => {
    const { seq, id } = JSON.parse((e as MessageEvent<string>).data) as { seq: number; id: string };
    lastSeq = Math.max(lastSeq, seq);
    log.querySelector(`li[data-id="${CSS.escape(id)}"]`)?.remove();
    shown.delete(id);
    empty.hidden = log.children.length > 0;
  });
  // Announcements: a banner above the log, removed when retracted.
  source.addEventListener("broadcast", (e) => {
    const b = JSON.parse((e as MessageEvent<string>).data) as { id: string; text: string; level: string; expiresAt: string | null };
    if (b.expiresAt && Date.parse(b.expiresAt) < Date.now()) return;
    if (banners.querySelector(`[data-id="${CSS.escape(b.id)}"]`)) return;
    const div = document.createElement("div");
    div.className = `banner ${b.level}`;
    div.dataset.id = b.id;
    div.setAttribute("role", b.level === "critical" ? "alert" : "status");
    banners.append(div);
    renderBody(div, b.text, config.strings);
  });
  source.addEventListener("broadcast-retracted", (e) => {
    const { id } = JSON.parse((e as MessageEvent<string>).data) as { id: string };
    banners.querySelector(`[data-id="${CSS.escape(id)}"]`)?.remove();
  });
  source.addEventListener("reset", () => {
    lastSeq = 0;
    // The log was replaced (say, the server's database was reset): start over.
    shown.clear();
    log.replaceChildren();
    empty.hidden = false;
  });
}

// A stream can stay silently dead after the network drops; don't wait for it.
window.addEventListener("offline", () => {
  source?.close();
  setStatus(false);
});
window.addEventListener("online", connect);

setStatus(false);
empty.textContent = config.strings.empty;
connect();
