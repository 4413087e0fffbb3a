/**
 * GET /api/admin/stats: the operations snapshot for the admin page, which
 * polls it every 2 s. A thin edge: session cookie, admin role, then the
 * snapshot (the same admin policy as /admin and the services). Served by the custom server (not Next), next to the rest of /api.
 */
import type { AppContext } from "../context";
import type { Ops } from "./stats";
import { errorBody, wireError } from "../errors";

export const ADMIN_STATS_PATH = "/api/admin/stats";

const json = (body: unknown, status = 200) =>
  Response.json(body, { status, headers: { "cache-control": "no-store" } });

export async function handleAdminStats(ctx: AppContext, ops: Ops, req: Request): Promise<Response> {
  if (req.method !== "GET" && req.method !== "HEAD") {
    return new Response(errorBody("method_not_allowed", "use GET", { params: { method: req.method } }), {
      status: 405,
      headers: { allow: "GET, HEAD", "content-type": "application/json" },
    });
  }
  const actor = await ctx.credentials.sessionActor(req.headers);
  if (!actor) return json({ error: wireError("sign_in_required", "sign in first") }, 401);
  if (!(await ctx.admin.isAdmin(actor))) return json({ error: wireError("admins_only", "admins only") }, 403);
  return json(await ops.stats());
}
