"use client";
/**
 * Room settings for sharing a live feed: copy-paste snippets for an iframe
 * embed and for a plain <script> with native EventSource (public rooms), and
 * read-only feed tokens that members create and revoke (private rooms).
 */
import { embedPath } from "@/components/lib/paths";
import { useCallback, useEffect, useState } from "react";
import { useTranslations } from "next-intl";
import { api } from "@/components/lib/api";
import { useErrorText } from "@/components/lib/errors";
import { usePanel } from "@/components/ui/usePanel";

interface FeedToken {
  id: string;
  name: string;
  createdAt: string;
  token?: string;
}

function Snippet({ label, code }: { label: string; code: string }) {
  const t = useTranslations("share");
  const [copied, setCopied] = useState(false);
  const id = `snippet-${label.replace(/\W+/g, "-").toLowerCase()}`;
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(code);
    } catch {
      // Plain http on a LAN address has no clipboard API: select the text instead.
      const el = document.getElementById(id) as HTMLTextAreaElement | null;
      el?.select();
      document.execCommand?.("copy");
    }
    setCopied(true);
    setTimeout(() => setCopied(false), 2000);
  };
  return (
    <div className="space-y-1">
      <div className="flex items-center justify-between gap-2">
        <label htmlFor={id} className="text-sm font-medium">{label}</label>
        <button type="button" onClick={copy} className="rounded-md border border-slate-300 px-2 py-0.5 text-xs font-medium dark:border-slate-700">
          {copied ? t("copied") : t("copy")}
        </button>
      </div>
      <textarea
        id={id}
        readOnly
        value={code}
        rows={code.split("\n").length}
        className="w-full resize-none rounded-md border border-slate-200 bg-slate-50 p-2 font-mono text-xs dark:border-slate-700 dark:bg-slate-950"
        onFocus={(e) => e.currentTarget.select()}
      />
    </div>
  );
}

export function scriptSnippet(feedUrl: string): string {
  return `<ul id="relay-feed"></ul>
<script>
  // Native EventSource: resumes by itself after a dropped connection.
  const feed = new EventSource("${feedUrl}");
  feed.addEventListener("message", (event) => {
    const m = JSON.parse(event.data);
    const li = document.createElement("li");
    li.textContent = m.author.name + ": " + m.body;
    document.getElementById("relay-feed").append(li);
  });
</script>`;
}

export function SharePanel({ slug, visibility, onClose }: { slug: string; visibility: "public" | "private"; onClose: () => void }) {
  const t = useTranslations("share");
  const errorText = useErrorText();
  const panel = usePanel<HTMLElement>(onClose);
  const [origin, setOrigin] = useState("");
  const [tokens, setTokens] = useState<FeedToken[] | null>(null);
  const [fresh, setFresh] = useState<FeedToken | null>(null);
  const [error, setError] = useState<string | null>(null);
  const base = `/api/rooms/${encodeURIComponent(slug)}`;

  useEffect(() => setOrigin(window.location.origin), []);

  const refresh = useCallback(async () => {
    try {
      setTokens((await api<{ tokens: FeedToken[] }>(`${base}/feed-tokens`)).tokens);
    } catch (err) {
      setError(errorText(err));
    }
  }, [base]);

  useEffect(() => {
    if (visibility === "private") void refresh();
  }, [visibility, refresh]);

  const create = async () => {
    setError(null);
    try {
      const { token } = await api<{ token: FeedToken }>(`${base}/feed-tokens`, { method: "POST", body: { name: t("tokenDefaultName") } });
      setFresh(token);
      await refresh();
    } catch (err) {
      setError(errorText(err));
    }
  };

  const revoke = async (id: string) => {
    setError(null);
    try {
      await api(`${base}/feed-tokens/${id}`, { method: "DELETE" });
      if (fresh?.id === id) setFresh(null);
      await refresh();
    } catch (err) {
      setError(errorText(err));
    }
  };

  return (
    <section ref={panel} tabIndex={-1} aria-labelledby="share-title" className="space-y-3 border-b border-slate-200 bg-slate-50 px-3 py-3 sm:px-5 dark:border-slate-800 dark:bg-slate-900/60">
      <div className="flex items-center justify-between">
        <h2 id="share-title" className="font-semibold">{t("title")}</h2>
        <button type="button" onClick={onClose} className="rounded-md px-2 py-1 text-sm hover:bg-slate-200 dark:hover:bg-slate-800">{t("close")}</button>
      </div>
      {visibility === "public" ? (
        <>
          <p className="text-sm text-slate-600 dark:text-slate-400">{t("publicHint")}</p>
          <Snippet
            label={t("iframe")}
            code={`<iframe src="${origin}${embedPath(slug)}?theme=light" title="#${slug}" width="400" height="500" style="border:0"></iframe>`}
          />
          <Snippet label={t("script")} code={scriptSnippet(`${origin}${base}/feed`)} />
        </>
      ) : (
        <>
          <p className="text-sm text-slate-600 dark:text-slate-400">{t("privateHint")}</p>
          <button type="button" onClick={create} className="rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-500">
            {t("createToken")}
          </button>
          {fresh?.token ? (
            <div className="space-y-2 rounded-md border border-amber-300 bg-amber-50 p-2 dark:border-amber-800 dark:bg-amber-950">
              <p className="text-sm">{t("tokenOnce")}</p>
              <Snippet label={t("script")} code={scriptSnippet(`${origin}${base}/feed?token=${fresh.token}`)} />
            </div>
          ) : null}
          {tokens === null ? (
            <p className="text-sm text-slate-600 dark:text-slate-400">{t("loading")}</p>
          ) : tokens.length === 0 ? (
            <p className="text-sm text-slate-600 dark:text-slate-400">{t("noTokens")}</p>
          ) : (
            <ul className="divide-y divide-slate-200 text-sm dark:divide-slate-800">
              {tokens.map((tok) => (
                <li key={tok.id} className="flex items-center justify-between py-1.5">
                  <span>
                    {tok.name} <span className="text-xs text-slate-600 dark:text-slate-400">· {new Date(tok.createdAt).toLocaleString()}</span>
                  </span>
                  <button type="button" onClick={() => revoke(tok.id)} className="text-xs font-medium text-red-600 underline dark:text-red-400">
                    {t("revoke")}
                  </button>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
      {error ? <p role="alert" className="text-sm text-red-600 dark:text-red-400">{error}</p> : null}
    </section>
  );
}
