/**
 * GET /api/admin/stats: the operations snapshot for the admin page, which
 * polls it every 2 s. A thin edge: session cookie, admin role, then the
 * snapshot (the same admin policy as /admin and the services). Served by the custom server (not Next), next to the rest of /api.
 */
import type { AppContext } from "../context";
import type { Ops } from "./stats";

export const ADMIN_STATS_PATH = "/api/admin/stats";

const json = (body: unknown, status = 200) =>
  Response.json(body, { status, headers: { "cache-control": "no-store" } });

export async function handleAdminStats(ctx: AppContext, ops: Ops, req: Request): Promise<Response> {
  if (req.method !== "GET" && req.method !== "HEAD") {
    return new Response(JSON.stringify({ error: { code: "invalid", message: "use GET" } }), {
      status: 405,
      headers: { allow: "GET, HEAD", "content-type": "application/json" },
    });
  }
  const actor = await ctx.credentials.sessionActor(req.headers);
  if (!actor) return json({ error: { code: "unauthorized", message: "sign in first" } }, 401);
  if (!(await ctx.admin.isAdmin(actor))) return json({ error: { code: "forbidden", message: "admins only" } }, 403);
  return json(await ops.stats());
}
