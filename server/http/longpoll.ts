/**
 * HTTP long-poll (the source document's third technique): hold a request until
 * the room's log has an event after the client's cursor, then answer at once.
 * Waiters are woken by the bus fan-out through the hub, never by polling the
 * database in a loop; each user may hold only a few at a time.
 */
import { logSeq } from "../bus";
import type { LogPage } from "../contract";
import { pollQuerySchema } from "../contract";
import type { AppContext } from "../context";
import { AppError } from "../errors";
import type { Actor } from "../services/actor";

/** Concurrent waiting requests per user: enough for a few tabs, not a flood. */
export const MAX_WAITERS_PER_USER = 6;


export function createLongPoll(ctx: AppContext) {
  const waiting = new Map<string, number>();

  return async function poll(actor: Actor, slug: string, query: unknown, signal: AbortSignal): Promise<LogPage> {
    const { after, epoch, wait } = pollQuerySchema.parse(query);
    const room = await ctx.rooms.access(actor, slug);

    // Subscribe before reading, so an event committed in between still wakes us.
    let wake!: () => void;
    const woken = new Promise<void>((resolve) => (wake = resolve));
    const unsubscribe = ctx.hub.subscribe(room.slug, "longpoll", (event) => {
      const seq = logSeq(event);
      if (seq !== null && seq > after) wake();
    });
    try {
      const first = await ctx.messages.resume(room, after, epoch);
      if (first.events.length > 0 || first.more || first.reset || wait === 0 || signal.aborted) return first;

      const held = waiting.get(actor.id) ?? 0;
      if (held >= MAX_WAITERS_PER_USER) throw new AppError("rate_limited", `at most ${MAX_WAITERS_PER_USER} waiting requests per user`);
      waiting.set(actor.id, held + 1);
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
      return await ctx.messages.resume(room, after, epoch);
    } finally {
      unsubscribe();
    }
  };
}
