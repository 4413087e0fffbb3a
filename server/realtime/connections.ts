/**
 * Every open connection on this node, whatever its transport, with the
 * credential it stands on. A permission is checked when a connection opens
 * and again whenever it is withdrawn: sign-out, a revoked session or token, a
 * ban, removal from a private room. Withdrawals travel on the bus (so they
 * reach every node) and land here, where the matching connections are closed.
 *
 * Two things cannot be announced, so they are checked on a timer: a session
 * that simply expires, and anything changed behind the server's back (a
 * session row deleted by hand). Every REVALIDATE_MS the credentials of all
 * open connections are re-read in one batch.
 */
import type { RevokeReason, RevokeScope, UserEvent } from "../bus";
import { logger } from "../log";

const log = logger("connections");

export type ConnectionKind = "socketio" | "sse" | "longpoll" | "ws";

/** What a connection depends on. A feed-token stream has a tokenId and no userId. */
export interface Principal {
  userId?: string;
  sessionId?: string;
  tokenId?: string;
  tokenKind?: "api" | "feed";
  /** The credential is worthless after this. */
  expiresAt?: Date;
}

export interface Connection {
  readonly id: string;
  readonly kind: ConnectionKind;
  readonly principal: Principal;
  /** Closes the connection, telling the client why (it should not silently retry). */
  close(reason: RevokeReason): void;
  /**
   * Ends the connection so that the client comes back by itself (a restart,
   * a deploy): it resumes from its cursor on this node once it is up again,
   * or on another one.
   */
  reconnect(): void;
  /**
   * Drops the connection's subscription of one room (its user was removed
   * from a private room). A connection that is about one room only (an SSE
   * stream, a long-poll) closes instead.
   */
  leave?(room: string, reason: RevokeReason): void;
  /** The rooms it follows (a stream or long-poll follows exactly one). */
  rooms(): Iterable<string>;
  /** Delivers an event addressed to its user (read position, settings); absent on feeds that carry one room only. */
  notify?(event: UserEvent): void;
}

/** Re-reads credentials: returns the principals that no longer hold. */
export type Revalidator = (principals: Principal[]) => Promise<Principal[]>;

/** How often open connections' credentials are re-read: the longest an expired session keeps a stream. */
export const REVALIDATE_MS = 30_000;

export interface Connections {
  /** Registers an open connection; returns the function that unregisters it. */
  add(conn: Connection): () => void;
  /** Closes (or, with scope.room, unsubscribes) every connection matching the scope; returns how many. */
  revoke(scope: RevokeScope, reason: RevokeReason): number;
  /** Hands a user-scoped event to every connection of that user on this node; returns how many. */
  notifyUser(userId: string, event: UserEvent): number;
  counts(): Record<ConnectionKind, number>;
  /** Asks every open connection to reconnect (shutdown); returns how many there were. */
  reconnectAll(): number;
  /** Runs one revalidation pass now (tests; the timer runs it every REVALIDATE_MS). */
  revalidate(): Promise<number>;
  close(): void;
}

function matches(p: Principal, scope: RevokeScope): boolean {
  if (scope.userId !== undefined && p.userId !== scope.userId) return false;
  if (scope.sessionId !== undefined && p.sessionId !== scope.sessionId) return false;
  if (scope.tokenId !== undefined && p.tokenId !== scope.tokenId) return false;
  return scope.userId !== undefined || scope.sessionId !== undefined || scope.tokenId !== undefined;
}

export function createConnections(deps: { revalidate?: Revalidator; intervalMs?: number; now?: () => number }): Connections {
  const all = new Set<Connection>();
  /** The same connections by user, so a user's event costs their connections, not everyone's. */
  const byUser = new Map<string, Set<Connection>>();
  const now = deps.now ?? Date.now;

  function closeOne(conn: Connection, reason: RevokeReason) {
    try {
      conn.close(reason);
    } catch (err) {
      log.error({ err, kind: conn.kind }, "closing a connection failed");
    }
  }

  async function revalidate(): Promise<number> {
    const open = [...all];
    if (open.length === 0) return 0;
    let closed = 0;
    // Expired without anyone saying so: closed without asking the database.
    const t = now();
    for (const conn of open) {
      if (conn.principal.expiresAt && conn.principal.expiresAt.getTime() <= t) {
        closeOne(conn, conn.principal.tokenId ? "token_revoked" : "signed_out");
        closed += 1;
      }
    }
    if (!deps.revalidate) return closed;
    const withCredential = open.filter((c) => all.has(c) && (c.principal.sessionId || c.principal.tokenId));
    const unique = new Map<string, Principal>();
    for (const c of withCredential) unique.set(`${c.principal.sessionId ?? ""}|${c.principal.tokenId ?? ""}`, c.principal);
    const invalid = await deps.revalidate([...unique.values()]);
    for (const p of invalid) {
      const scope = p.sessionId ? { sessionId: p.sessionId } : { tokenId: p.tokenId };
      closed += registry.revoke(scope, p.tokenId ? "token_revoked" : "signed_out");
    }
    return closed;
  }

  const timer = setInterval(() => {
    revalidate().catch((err) => log.warn({ err }, "revalidation failed"));
  }, deps.intervalMs ?? REVALIDATE_MS);
  timer.unref();

  const registry: Connections = {
    add(conn) {
      all.add(conn);
      const userId = conn.principal.userId;
      if (userId !== undefined) {
        let set = byUser.get(userId);
        if (!set) byUser.set(userId, (set = new Set()));
        set.add(conn);
      }
      return () => {
        all.delete(conn);
        if (userId === undefined) return;
        const set = byUser.get(userId);
        set?.delete(conn);
        if (set?.size === 0) byUser.delete(userId);
      };
    },
    notifyUser(userId, event) {
      let n = 0;
      for (const conn of byUser.get(userId) ?? []) {
        if (!conn.notify) continue;
        try {
          conn.notify(event);
          n += 1;
        } catch (err) {
          log.error({ err, kind: conn.kind }, "notifying a connection failed");
        }
      }
      return n;
    },
    revoke(scope, reason) {
      let n = 0;
      for (const conn of [...all]) {
        if (!matches(conn.principal, scope)) continue;
        if (scope.room !== undefined) {
          if (![...conn.rooms()].includes(scope.room)) continue;
          n += 1;
          if (conn.leave) conn.leave(scope.room, reason);
          else closeOne(conn, reason);
          continue;
        }
        n += 1;
        closeOne(conn, reason);
      }
      return n;
    },
    counts() {
      const out: Record<ConnectionKind, number> = { socketio: 0, sse: 0, longpoll: 0, ws: 0 };
      for (const conn of all) out[conn.kind] += 1;
      return out;
    },
    reconnectAll() {
      const open = [...all];
      for (const conn of open) {
        try {
          conn.reconnect();
        } catch (err) {
          log.error({ err, kind: conn.kind }, "ending a connection failed");
        }
      }
      return open.length;
    },
    revalidate,
    close() {
      clearInterval(timer);
      all.clear();
      byUser.clear();
    },
  };
  return registry;
}
