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
  detail: Record<string, unknown> | null;
  createdAt: string;
}

export const auditQuerySchema = z.object({
  action: z.string().max(40).optional(),
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
      ...(action ? { action: { startsWith: action } } : {}),
      ...(actor ? { OR: [{ actorId: actor }, { actor: { username: actor.toLowerCase() } }] } : {}),
    },
    orderBy: { createdAt: "desc" },
    take: limit,
    include: { actor: { select: { id: true, name: true } } },
  });
  return rows.map((r) => ({
    id: r.id,
    actor: r.actor,
    action: r.action,
    targetType: r.targetType,
    targetId: r.targetId,
    detail: r.detail ? (JSON.parse(r.detail) as Record<string, unknown>) : null,
    createdAt: r.createdAt.toISOString(),
  }));
}
