/**
 * GET /embed/:slug — a compact, read-only live view of a public room, made to
 * sit in an iframe on any site. Served by our own server rather than Next so
 * the page stays small: inline styles, one script (components/embed, with
 * the markdown renderer; about 18 KB gzipped, bundled at build time to
 * .next/embed/embed.js), and the SSE feed.
 * It shows only the room's messages and their authors' display names.
 */
import { readFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { fromRoot } from "../paths";
import type { AppContext } from "../context";
import { fromAcceptLanguage, isLocale } from "../../components/i18n/locales";
import { embedCsp, newNonce } from "./security";

export const EMBED_PATH = /^\/embed\/([^/]+)\/?$/;
export const EMBED_SCRIPT_PATH = "/embed.js";
export const EMBED_BUNDLE = fromRoot(".next/embed/embed.js");

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

interface Catalog {
  embed: { live: string; reconnecting: string; empty: string; unavailable: string; guest: string };
  markdown: { showMore: string; showLess: string };
}
let catalogs: Record<string, Catalog> | undefined;
async function strings(locale: string) {
  catalogs ??= {
    en: JSON.parse(await readFile(fromRoot("components/i18n/messages/en.json"), "utf8")),
    "zh-CN": JSON.parse(await readFile(fromRoot("components/i18n/messages/zh-CN.json"), "utf8")),
  };
  const catalog = catalogs[locale]!;
  return { ...catalog.embed, ...catalog.markdown };
}

const STYLE = `
:root{color-scheme:light dark;--bg:#fff;--fg:#0f172a;--muted:#64748b;--line:#e2e8f0;--name-l:30%;--link:#4338ca;--code:#e2e8f0;--code-block:#f1f5f9;--quote:#cbd5e1}
@media (prefers-color-scheme:dark){:root:not([data-theme=light]){--bg:#0f172a;--fg:#e2e8f0;--muted:#94a3b8;--line:#1e293b;--name-l:70%;--link:#a5b4fc;--code:#1e293b;--code-block:#020617;--quote:#475569}}
:root[data-theme=light]{color-scheme:light}
:root[data-theme=dark]{color-scheme:dark;--bg:#0f172a;--fg:#e2e8f0;--muted:#94a3b8;--line:#1e293b;--name-l:70%;--link:#a5b4fc;--code:#1e293b;--code-block:#020617;--quote:#475569}
*{box-sizing:border-box}html,body{margin:0;height:100%}
body{display:flex;flex-direction:column;background:var(--bg);color:var(--fg);font:14px/1.45 ui-sans-serif,system-ui,-apple-system,"Segoe UI","PingFang SC","Microsoft YaHei",sans-serif}
header{display:flex;align-items:center;gap:8px;padding:8px 12px;border-bottom:1px solid var(--line);font-weight:600}
header a{color:inherit;text-decoration:none}header .sp{flex:1}
#status{font-size:12px;font-weight:500;color:var(--muted);display:inline-flex;align-items:center;gap:6px}
#status::before{content:"";width:8px;height:8px;border-radius:50%;background:#f59e0b}
#status[data-state=live]::before{background:#10b981}
#log{flex:1;overflow-y:auto;margin:0;padding:8px 12px;list-style:none}
#log>li{padding:4px 0}.who{font-weight:600;margin-right:6px}
.guest{font-size:11px;font-weight:500;color:var(--muted);border:1px solid var(--line);border-radius:4px;padding:0 4px;margin-right:6px}
time{font-size:11px;color:var(--muted)}#log .body{margin-top:2px}
#empty{color:var(--muted);text-align:center;padding:24px}
.banner{margin:8px 12px 0;padding:6px 10px;border-radius:6px;font-size:13px;border:1px solid}
.banner.info{background:#eef2ff;color:#312e81;border-color:#c7d2fe}
.banner.warning{background:#fffbeb;color:#78350f;border-color:#fde68a}
.banner.critical{background:#fef2f2;color:#7f1d1d;border-color:#fca5a5}
.md{white-space:pre-wrap;overflow-wrap:anywhere;min-width:0}.md>*,.md li>*,.md blockquote>*{margin:0}
.md>*+*,.md li>*+*,.md blockquote>*+*{margin-top:6px}
.md a{color:var(--link);font-weight:500;text-decoration:underline;text-underline-offset:2px}.banner .md a{color:inherit}
.md code{font:0.875em/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:var(--code);border-radius:4px;padding:1px 4px;-webkit-box-decoration-break:clone;box-decoration-break:clone}
.md pre{white-space:pre;overflow-x:auto;max-width:100%;background:var(--code-block);border:1px solid var(--line);border-radius:6px;padding:6px 10px;font:13px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
.md pre code{background:none;padding:0;font-size:1em}
.md pre[data-lang]::before{content:attr(data-lang);display:block;margin-bottom:4px;font-size:11px;font-weight:500;line-height:1.2;text-transform:uppercase;letter-spacing:.04em;color:var(--muted)}
.md blockquote{border-left:3px solid var(--quote);padding-left:10px;color:var(--muted)}
.md ul,.md ol{padding-left:22px}.md ul{list-style:disc}.md ol{list-style:decimal}.md del{color:var(--muted)}
.md.collapsed{max-height:calc(var(--collapsed-lines)*1lh);overflow:hidden;-webkit-mask-image:linear-gradient(#000 65%,transparent);mask-image:linear-gradient(#000 65%,transparent)}
.more{margin-top:2px;padding:0;border:0;background:none;color:var(--link);font:inherit;font-size:12px;font-weight:600;cursor:pointer}.more:hover{text-decoration:underline}
.banner .more{color:inherit}
:focus-visible{outline:2px solid var(--link);outline-offset:2px}
@media (prefers-reduced-motion:reduce){*,*::before,*::after{animation-duration:.01ms!important;animation-iteration-count:1!important;transition-duration:.01ms!important}}`;

export async function handleEmbed(ctx: AppContext, req: IncomingMessage, res: ServerResponse, slug: string): Promise<void> {
  const url = new URL(req.url ?? "/", "http://local");
  const langParam = url.searchParams.get("lang");
  const locale = isLocale(langParam) ? langParam : fromAcceptLanguage(req.headers["accept-language"]);
  const theme = ["light", "dark"].includes(url.searchParams.get("theme") ?? "") ? url.searchParams.get("theme")! : "";
  const text = await strings(locale);
  const nonce = newNonce();
  const headers = {
    "content-type": "text/html; charset=utf-8",
    "cache-control": "no-store",
    // Made to be framed anywhere; it carries no session and no controls.
    "content-security-policy": embedCsp(nonce),
  };
  const unavailable = (status: number, message: string) => {
    res.writeHead(status, headers);
    res.end(`<!doctype html><html lang="${locale}"><meta charset="utf-8"><style nonce="${nonce}">${STYLE}</style><p id="empty">${esc(message)}</p></html>`);
  };
  const room = await ctx.rooms.publicRoom(slug.normalize("NFC").toLowerCase());
  if (!room) return unavailable(404, text.unavailable);
  const config = {
    feed: `/api/rooms/${encodeURIComponent(room.slug)}/feed`,
    locale,
    strings: { live: text.live, reconnecting: text.reconnecting, empty: text.empty, guest: text.guest, showMore: text.showMore, showLess: text.showLess },
  };
  res.writeHead(200, headers);
  res.end(`<!doctype html>
<html lang="${locale}"${theme ? ` data-theme="${theme}"` : ""}>
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>#${esc(room.name)}</title><style nonce="${nonce}">${STYLE}</style></head>
<body>
<header><a href="/r/${esc(encodeURIComponent(room.slug))}" target="_blank" rel="noopener">#${esc(room.name)}</a><span class="sp"></span><span id="status" role="status" aria-live="polite"></span></header>
<div id="banners"></div>
<ol id="log" aria-label="#${esc(room.name)}"></ol><p id="empty"></p>
<script nonce="${nonce}">window.__EMBED__=${JSON.stringify(config).replace(/</g, "\\u003c")}</script>
<script src="${EMBED_SCRIPT_PATH}" defer></script>
</body></html>`);
}

export async function handleEmbedScript(res: ServerResponse): Promise<void> {
  try {
    const js = await readFile(EMBED_BUNDLE);
    res.writeHead(200, { "content-type": "text/javascript; charset=utf-8", "cache-control": "public, max-age=300" });
    res.end(js);
  } catch {
    res.writeHead(503, { "content-type": "text/plain" });
    res.end("embed script not built: run `npm run build`");
  }
}
