/**
 * The admin policy: one rule, used by /admin (the page), the stats route and
 * every admin action in the services. It reads the role and the ban as they
 * are stored now, not as a connection saw them when it opened: a revoked
 * admin loses the power at once, on long-lived sockets too.
 */
import type { PrismaClient } from "../generated/prisma/client";
import { AppError } from "../errors";
import type { Actor } from "./actor";

export interface AdminPolicy {
  isAdmin(actor: Actor | null): Promise<boolean>;
  /** Throws `forbidden` unless the actor is an admin now. */
  require(actor: Actor): Promise<void>;
}

export function createAdminPolicy(prisma: PrismaClient): AdminPolicy {
  async function isAdmin(actor: Actor | null): Promise<boolean> {
    if (!actor) return false;
    const user = await prisma.user.findUnique({ where: { id: actor.id }, select: { role: true, banned: true } });
    return user?.role === "admin" && !user.banned;
  }
  return {
    isAdmin,
    async require(actor) {
      if (!(await isAdmin(actor))) throw new AppError("admins_only", "admins only");
    },
  };
}
