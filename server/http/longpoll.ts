/**
 * HTTP long-poll (the source document's third technique): hold a request until
 * the room's log has an event after the client's cursor, then answer at once.
 * A thin adapter over the room subscription core: the core writes the page
 * after the cursor; when it is empty the request waits, attached to the
 * room's stream, for the next entries, and answers with them. Waiters are
 * woken by the fan-out, never by polling the database; each user may hold
 * only a few at a time, and a withdrawn credential answers them at once.
 */
import { randomUUID } from "node:crypto";
import type { LogEntry, LogPage, RevokeReason } from "../contract";
import { pollQuerySchema } from "../contract";
import type { AppContext } from "../context";
import type { UserCredential } from "../credentials";
import { AppError } from "../errors";
import type { Subscription } from "../realtime/subscription";

/** Concurrent waiting requests per user: enough for a few tabs, not a flood. */
export const MAX_WAITERS_PER_USER = 6;
/** What a refused waiter is told to wait: another of the user's waits ends within a poll's round trip. */
const WAITER_RETRY_MS = 1_000;

const REVOKED: Record<RevokeReason, AppError> = {
  banned: new AppError("banned", "this account is banned"),
  signed_out: new AppError("session_ended", "the session ended; sign in again"),
  token_revoked: new AppError("token_revoked", "the API token was revoked"),
  removed: new AppError("removed", "you are no longer a member of this room"),
};

export function createLongPoll(ctx: AppContext) {
  const waiting = new Map<string, number>();

  return async function poll(credential: UserCredential, slug: string, query: unknown, signal: AbortSignal): Promise<LogPage> {
    const { actor } = credential;
    const { after, epoch, wait } = pollQuerySchema.parse(query);
    const room = await ctx.rooms.access(actor, slug);

    let first: LogPage | undefined;
    const live: LogEntry[] = [];
    let wake!: () => void;
    const woken = new Promise<void>((resolve) => (wake = resolve));
    let revoked: RevokeReason | undefined;
    let sub: Subscription | undefined;
    let unregister = () => {};
    let done = false;
    const finish = () => {
      done = true;
      sub?.close();
      unregister();
    };

    try {
      sub = await ctx.subscriptions.open(
        room,
        { after, epoch },
        {
          connId: `lp:${randomUUID()}`,
          kind: "longpoll",
          alive: () => !signal.aborted && !done,
          page: (page) => void (first = page),
          entry(e) {
            // Entries arriving in one burst go out in one answer.
            if (live.push(e.entry) === 1) setImmediate(wake);
          },
        },
        { pages: "first" },
      );
      // The client went away while the log was read: nobody reads this answer.
      if (!first) throw new AppError("request_closed", "the request was closed");
      const page = first;
      if (page.events.length > 0 || page.more || page.reset || wait === 0 || signal.aborted || !sub.live) return page;

      const held = waiting.get(actor.id) ?? 0;
      if (held >= MAX_WAITERS_PER_USER) throw new AppError("too_many_waiters", `at most ${MAX_WAITERS_PER_USER} waiting requests per user`, {
        params: { max: MAX_WAITERS_PER_USER },
        retryAfter: WAITER_RETRY_MS,
      });
      waiting.set(actor.id, held + 1);
      unregister = ctx.connections.add({
        id: `lp:${randomUUID()}`,
        kind: "longpoll",
        principal: credential.principal,
        rooms: () => [room.slug],
        close(reason) {
          revoked = reason;
          wake();
        },
        // Answered now (empty): the client polls again, here after the restart or elsewhere.
        reconnect: () => wake(),
      });
      let timer: ReturnType<typeof setTimeout> | undefined;
      try {
        await Promise.race([
          woken,
          new Promise<void>((resolve) => (timer = setTimeout(resolve, wait * 1000))),
          new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true })),
        ]);
      } finally {
        clearTimeout(timer);
        const left = (waiting.get(actor.id) ?? 1) - 1;
        if (left > 0) waiting.set(actor.id, left);
        else waiting.delete(actor.id);
      }
      if (revoked) throw REVOKED[revoked];
      if (live.length === 0) return page;
      // The entries after the page's cursor, exactly as the core delivered them.
      const last = live[live.length - 1]!.seq;
      return {
        ...page,
        events: live,
        messages: live.flatMap((e) => (e.type === "message" ? [e.message] : [])),
        head: Math.max(page.head, last),
        next: last,
      };
    } finally {
      finish();
    }
  };
}
