/**
 * The database a multi-process test shares between its nodes: a PostgreSQL
 * database of its own (what a real cluster runs on), dropped afterwards.
 */
import { createScratchDatabase } from "../../prisma/scripts/scratch-pg";

export async function clusterDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const db = await createScratchDatabase("relay_cluster");
  return { url: db.url, drop: () => db.drop() };
}
