"use client";
/**
 * Messages per minute over the last hour, as SVG bars.
 *
 * Why not a chart library (uPlot was the candidate; it installs cleanly): the
 * data is 60 small integers redrawn every 2 s. Plain SVG renders on the
 * server, so the first paint already has the chart; it takes Tailwind colours
 * and dark mode through currentColor; each bar carries its own tooltip, and
 * the figure has a text summary for screen readers. uPlot draws on a canvas
 * and would add a client-only mount, a resize observer and its own
 * accessible fallback for no gain at this size.
 */
import { useFormatter, useTranslations } from "next-intl";

const WIDTH = 600;
const HEIGHT = 120;
const GAP = 2;

export function MessageRateChart({ perMinute, sampledAt }: { perMinute: number[]; sampledAt: string }) {
  const t = useTranslations("admin.live.messages");
  const format = useFormatter();
  const total = perMinute.reduce((a, b) => a + b, 0);
  const peak = Math.max(0, ...perMinute);
  const last = perMinute[perMinute.length - 1] ?? 0;
  const scale = Math.max(peak, 1);
  const bar = WIDTH / perMinute.length;
  const end = new Date(sampledAt).getTime();

  return (
    <figure className="space-y-2">
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        preserveAspectRatio="none"
        role="img"
        aria-label={t("chartLabel", { total, peak, last })}
        className="h-32 w-full text-indigo-500 dark:text-indigo-400"
        data-testid="message-rate-chart"
      >
        <line x1="0" y1={HEIGHT - 0.5} x2={WIDTH} y2={HEIGHT - 0.5} className="stroke-slate-300 dark:stroke-slate-700" strokeWidth="1" />
        {perMinute.map((count, i) => {
          // A 1-unit stub for empty minutes keeps the timeline visible.
          const h = count === 0 ? 1 : Math.max(2, (count / scale) * (HEIGHT - 4));
          const minute = new Date(end - (perMinute.length - 1 - i) * 60_000);
          return (
            <rect
              key={i}
              x={i * bar + GAP / 2}
              y={HEIGHT - h}
              width={bar - GAP}
              height={h}
              className={count === 0 ? "fill-slate-200 dark:fill-slate-800" : "fill-current"}
            >
              <title>{t("bar", { time: format.dateTime(minute, { hour: "2-digit", minute: "2-digit" }), count })}</title>
            </rect>
          );
        })}
      </svg>
      <figcaption className="flex justify-between text-xs text-slate-500 dark:text-slate-400">
        <span>{t("hourAgo")}</span>
        <span>{t("caption", { total, peak })}</span>
        <span>{t("now")}</span>
      </figcaption>
    </figure>
  );
}
