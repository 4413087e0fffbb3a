"use client";
/** Opens (or creates) the DM with a user and goes there. */
import { useRouter } from "next/navigation";
import { useCallback, useState } from "react";
import type { RoomSummary } from "@/server/contract";
import { api } from "@/components/lib/api";
import { useErrorText } from "@/components/lib/errors";

export function useOpenDm() {
  const router = useRouter();
  const errorText = useErrorText();
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
        setError(errorText(err));
      } finally {
        setBusy(false);
      }
    },
    [router, errorText],
  );
  return { open, busy, error, clearError: () => setError(null) };
}
