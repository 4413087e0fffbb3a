"use client";
/**
 * The "Live operations" section of /admin: this node's connections, who is
 * online where, message rate and persist latency, event-loop lag, memory and
 * uptime, refreshed every 2 s. Sibling sections (broadcasts, moderation) are
 * separate components on the same page.
 */
import { useFormatter, useTranslations } from "next-intl";
import type { OpsStats } from "@/server/ops/stats";
import { MessageRateChart } from "./MessageRateChart";
import { POLL_MS, useAdminStats } from "./useAdminStats";

function Card({ id, title, children, className = "" }: { id: string; title: string; children: React.ReactNode; className?: string }) {
  return (
    <section
      aria-labelledby={id}
      className={`rounded-xl border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900 ${className}`}
    >
      <h3 id={id} className="text-sm font-semibold text-slate-600 dark:text-slate-300">
        {title}
      </h3>
      <div className="mt-2">{children}</div>
    </section>
  );
}

/** Label/value rows; `testId` lets tests find a figure without depending on its wording. */
function Figures({ rows }: { rows: { label: string; value: string; testId?: string }[] }) {
  return (
    <dl className="divide-y divide-slate-100 text-sm dark:divide-slate-800">
      {rows.map((row) => (
        <div key={row.label} className="flex items-baseline justify-between gap-3 py-1.5">
          <dt className="text-slate-600 dark:text-slate-400">{row.label}</dt>
          <dd className="font-mono tabular-nums" data-testid={row.testId}>
            {row.value}
          </dd>
        </div>
      ))}
    </dl>
  );
}

function Big({ value, label, testId }: { value: string; label: string; testId?: string }) {
  return (
    <p className="mb-1 flex items-baseline gap-2">
      <span className="text-3xl font-bold tabular-nums" data-testid={testId}>
        {value}
      </span>
      <span className="text-sm text-slate-500 dark:text-slate-400">{label}</span>
    </p>
  );
}

const STATUS_DOT = {
  live: "bg-emerald-500",
  paused: "bg-slate-400",
  retrying: "bg-amber-400 animate-pulse",
  denied: "bg-red-500",
} as const;

export function LiveOperations({ initial }: { initial: OpsStats | null }) {
  const t = useTranslations("admin.live");
  const format = useFormatter();
  const { stats, status } = useAdminStats(initial);

  const n = (value: number, digits = 0) => format.number(value, { maximumFractionDigits: digits });
  const ms = (value: number) => t("ms", { value: n(value, value < 10 ? 2 : 1) });
  const mb = (bytes: number) => t("mb", { value: n(bytes / 1024 / 1024, 1) });
  const uptime = (seconds: number) => {
    const days = Math.floor(seconds / 86_400);
    const hours = Math.floor((seconds % 86_400) / 3_600);
    const minutes = Math.floor((seconds % 3_600) / 60);
    if (days > 0) return t("uptimeDays", { days, hours });
    if (hours > 0) return t("uptimeHours", { hours, minutes });
    return t("uptimeMinutes", { minutes, seconds: seconds % 60 });
  };

  return (
    <section aria-labelledby="live-operations" className="space-y-4" data-testid="live-operations">
      <div className="flex flex-wrap items-baseline justify-between gap-x-4 gap-y-1">
        <div>
          <h2 id="live-operations" className="text-lg font-semibold">
            {t("title")}
          </h2>
          <p className="text-sm text-slate-500 dark:text-slate-400">{t("intro", { seconds: POLL_MS / 1000 })}</p>
        </div>
        <p className="flex items-center gap-2 text-xs text-slate-600 dark:text-slate-300" data-testid="live-status" data-status={status}>
          <span className={`h-2 w-2 rounded-full ${STATUS_DOT[status]}`} aria-hidden="true" />
          {stats ? <span className="font-mono">{t("node", { id: stats.node.id })}</span> : null}
          <span role={status === "live" ? undefined : "status"}>
            {status === "live" && stats
              ? t("updated", { time: format.dateTime(new Date(stats.sampledAt), { hour: "2-digit", minute: "2-digit", second: "2-digit" }) })
              : t(`status.${status}`)}
          </span>
        </p>
      </div>

      {status === "denied" ? (
        <p role="alert" className="rounded-xl border border-red-200 bg-red-50 p-4 text-sm text-red-800 dark:border-red-900 dark:bg-red-950 dark:text-red-200">
          {t("denied")}
        </p>
      ) : null}

      {!stats ? (
        <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3" aria-busy="true" aria-label={t("loading")}>
          {[0, 1, 2].map((i) => (
            <div key={i} className="h-40 animate-pulse rounded-xl bg-slate-200 dark:bg-slate-800" />
          ))}
        </div>
      ) : (
        <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
          <Card id="ops-connections" title={t("connections.title")}>
            <Big value={n(stats.connections.total)} label={t("connections.total")} testId="connections-total" />
            <Figures
              rows={[
                { label: t("connections.websocket"), value: n(stats.connections.socketio.websocket), testId: "conn-socketio-websocket" },
                { label: t("connections.polling"), value: n(stats.connections.socketio.polling), testId: "conn-socketio-polling" },
                { label: t("connections.sse"), value: n(stats.connections.sse), testId: "conn-sse" },
                { label: t("connections.longpoll"), value: n(stats.connections.longpoll), testId: "conn-longpoll" },
                { label: t("connections.ws"), value: n(stats.connections.ws), testId: "conn-ws" },
              ]}
            />
          </Card>

          <Card id="ops-online" title={t("online.title")}>
            <Big value={n(stats.onlineUsers)} label={t("online.users", { count: stats.onlineUsers })} testId="online-users" />
            {stats.rooms.length === 0 ? (
              <p className="py-1.5 text-sm text-slate-500 dark:text-slate-400">{t("online.empty")}</p>
            ) : (
              <table className="w-full text-sm" data-testid="online-rooms">
                <thead className="sr-only">
                  <tr>
                    <th scope="col">{t("online.room")}</th>
                    <th scope="col">{t("online.count")}</th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
                  {stats.rooms.slice(0, 8).map((room) => (
                    <tr key={room.slug}>
                      <th scope="row" className="w-full max-w-0 truncate py-1.5 pr-3 text-left font-normal text-slate-600 dark:text-slate-400">
                        <span aria-hidden="true" className="text-slate-400">
                          #
                        </span>{" "}
                        {room.name}
                      </th>
                      <td className="py-1.5 text-right font-mono tabular-nums">{n(room.online)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            {stats.rooms.length > 8 ? (
              <p className="pt-1 text-xs text-slate-500 dark:text-slate-400">{t("online.more", { count: stats.rooms.length - 8 })}</p>
            ) : null}
          </Card>

          <Card id="ops-process" title={t("process.title")}>
            <Figures
              rows={[
                { label: t("process.lagP50"), value: ms(stats.eventLoop.p50Ms) },
                { label: t("process.lagP99"), value: ms(stats.eventLoop.p99Ms), testId: "lag-p99" },
                { label: t("process.lagMax"), value: ms(stats.eventLoop.maxMs) },
                { label: t("process.rss"), value: mb(stats.memory.rssBytes), testId: "memory-rss" },
                { label: t("process.heapUsed"), value: mb(stats.memory.heapUsedBytes) },
                { label: t("process.heapTotal"), value: mb(stats.memory.heapTotalBytes) },
                { label: t("process.uptime"), value: uptime(stats.node.uptimeSeconds), testId: "uptime" },
                { label: t("process.version"), value: stats.node.version },
              ]}
            />
          </Card>

          <Card id="ops-rate" title={t("messages.title")} className="sm:col-span-2">
            <MessageRateChart perMinute={stats.messages.perMinute} sampledAt={stats.sampledAt} />
            <Figures rows={[{ label: t("messages.total"), value: n(stats.messages.total), testId: "messages-total" }]} />
          </Card>

          <Card id="ops-persist" title={t("persist.title")}>
            {stats.messages.latency.samples === 0 ? (
              <p className="py-1.5 text-sm text-slate-500 dark:text-slate-400">{t("persist.none")}</p>
            ) : (
              <>
                <Big value={ms(stats.messages.latency.p99Ms)} label={t("persist.p99")} testId="persist-p99" />
                <Figures
                  rows={[
                    { label: t("persist.p50"), value: ms(stats.messages.latency.p50Ms), testId: "persist-p50" },
                    { label: t("persist.samples"), value: n(stats.messages.latency.samples) },
                  ]}
                />
              </>
            )}
          </Card>
        </div>
      )}
    </section>
  );
}
