/**
 * The audit log: who did what to whom, when. Written by the admin services in
 * the same transaction as the action, so an action without its record (or a
 * record of an action that rolled back) cannot exist.
 */
import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { PrismaClient } from "../generated/prisma/client";
import type { Actor } from "./actor";
import type { Tx } from "./log";
import type { AdminPolicy } from "./policy";


export interface AuditEntry {
  id: string;
  actor: { id: string; name: string };
  action: string;
  targetType: string;
  targetId: string;
  /**
   * What the target is called now (a user's name, a room's name, a
   * broadcast's or message's text), or what it was called when recorded;
   * null only when nothing is known. The admin page shows this, not the id.
   */
  targetName: string | null;
  /** Recorded details, without empty (null) values. */
  detail: Record<string, string | number | boolean> | null;
  createdAt: string;
}

export const auditQuerySchema = z.object({
  action: z.string().max(40).optional().transform((a) => (a ? a : undefined)),
  actor: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export function recordAudit(
  tx: Tx | PrismaClient,
  entry: { actorId: string; action: string; targetType: string; targetId: string; detail?: Record<string, unknown> },
) {
  return tx.auditLog.create({
    data: {
      id: randomUUID(),
      actorId: entry.actorId,
      action: entry.action,
      targetType: entry.targetType,
      targetId: entry.targetId,
      detail: entry.detail ? JSON.stringify(entry.detail) : null,
    },
  });
}

export interface AuditService {
  /** Entries newest first; admins only. */
  list(actor: Actor, query: unknown): Promise<AuditEntry[]>;
}

export function createAuditService(prisma: PrismaClient, admin: AdminPolicy): AuditService {
  return {
    async list(actor, query) {
      await admin.require(actor);
      return listAudit(prisma, query);
    },
  };
}

async function listAudit(prisma: PrismaClient, query: unknown): Promise<AuditEntry[]> {
  const { action, actor, limit } = auditQuerySchema.parse(query);
  const rows = await prisma.auditLog.findMany({
    where: {
      AND: [
        // An exact action ("broadcast.send"), or a family ("broadcast" matches broadcast.send and broadcast.retract).
        ...(action ? [{ OR: [{ action }, { action: { startsWith: `${action}.` } }] }] : []),
        ...(actor ? [{ OR: [{ actorId: actor }, { actor: { username: actor.toLowerCase() } }] }] : []),
      ],
    },
    orderBy: { createdAt: "desc" },
    take: limit,
    include: { actor: { select: { id: true, name: true } } },
  });
  // Names as they are now, in one query per kind of target.
  const idsOf = (type: string) => [...new Set(rows.filter((r) => r.targetType === type).map((r) => r.targetId))];
  const [users, rooms, broadcasts] = await Promise.all([
    prisma.user.findMany({ where: { id: { in: idsOf("user") } }, select: { id: true, name: true } }),
    prisma.room.findMany({ where: { id: { in: idsOf("room") } }, select: { id: true, name: true } }),
    prisma.broadcast.findMany({ where: { id: { in: idsOf("broadcast") } }, select: { id: true, text: true } }),
  ]);
  const names = new Map<string, string>([
    ...users.map((u) => [`user:${u.id}`, u.name] as const),
    ...rooms.map((r) => [`room:${r.id}`, r.name] as const),
    ...broadcasts.map((b) => [`broadcast:${b.id}`, b.text.slice(0, 200)] as const),
  ]);
  return rows.map((r) => {
    const recorded = r.detail ? (JSON.parse(r.detail) as Record<string, unknown>) : {};
    const detail = Object.fromEntries(
      Object.entries(recorded).filter((e): e is [string, string | number | boolean] => ["string", "number", "boolean"].includes(typeof e[1])),
    );
    const fallback = typeof recorded.name === "string" ? recorded.name : typeof recorded.text === "string" ? recorded.text : null;
    return {
      id: r.id,
      actor: r.actor,
      action: r.action,
      targetType: r.targetType,
      targetId: r.targetId,
      targetName: names.get(`${r.targetType}:${r.targetId}`) ?? fallback,
      detail: Object.keys(detail).length ? detail : null,
      createdAt: r.createdAt.toISOString(),
    };
  });
}
