"use client";
/** Opens (or creates) the DM with a user and goes there. */
import { useRouter } from "next/navigation";
import { useCallback, useState } from "react";
import type { RoomSummary } from "@/server/contract";
import { api, ApiError } from "@/components/lib/api";

export function useOpenDm() {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const open = useCallback(
    async (userId: string) => {
      setBusy(true);
      setError(null);
      try {
        const { room } = await api<{ room: RoomSummary }>("/api/dms", { method: "POST", body: { userId } });
        router.push(`/r/${encodeURIComponent(room.slug)}`);
      } catch (err) {
        setError(err instanceof ApiError ? err.message : String(err));
      } finally {
        setBusy(false);
      }
    },
    [router],
  );
  return { open, busy, error, clearError: () => setError(null) };
}
