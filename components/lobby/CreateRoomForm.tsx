"use client";
import { roomPath } from "@/components/lib/paths";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { useTranslations } from "next-intl";
import { MAX_ROOM_NAME, MAX_TOPIC, type RoomSummary } from "@/server/contract";
import { api, ApiError } from "@/components/lib/api";
import { useErrorText } from "@/components/lib/errors";
import { LimitHint, charCount } from "@/components/ui/LimitHint";

export function CreateRoomForm({ onCancel }: { onCancel: () => void }) {
  const t = useTranslations("createRoom");
  const errorText = useErrorText();
  const router = useRouter();
  const [name, setName] = useState("");
  const [topic, setTopic] = useState("");
  const [visibility, setVisibility] = useState<"public" | "private">("public");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const { room } = await api<{ room: RoomSummary }>("/api/rooms", { method: "POST", body: { name, topic, visibility } });
      router.push(roomPath(room.slug));
    } catch (err) {
      setError(err instanceof ApiError && err.code === "conflict" ? t("taken", { name: name.trim() }) : errorText(err));
      setBusy(false);
    }
  };

  const field = "w-full rounded-lg border border-slate-300 bg-white px-3 py-2 dark:border-slate-700 dark:bg-slate-950";
  return (
    <form onSubmit={submit} className="mb-6 space-y-3 rounded-xl border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900" aria-labelledby="create-room-title">
      <h2 id="create-room-title" className="font-semibold">{t("title")}</h2>
      <div>
        <label htmlFor="room-name" className="mb-1 block text-sm font-medium">{t("name")}</label>
        <input
          id="room-name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          required
          aria-invalid={charCount(name) > MAX_ROOM_NAME}
          aria-describedby="room-name-limit"
          className={field}
          autoFocus
        />
        <LimitHint id="room-name-limit" value={name} max={MAX_ROOM_NAME} />
      </div>
      <div>
        <label htmlFor="room-topic" className="mb-1 block text-sm font-medium">{t("topic")}</label>
        <input
          id="room-topic"
          value={topic}
          onChange={(e) => setTopic(e.target.value)}
          aria-invalid={charCount(topic) > MAX_TOPIC}
          aria-describedby="room-topic-limit"
          className={field}
          placeholder={t("topicHint")}
        />
        <LimitHint id="room-topic-limit" value={topic} max={MAX_TOPIC} />
      </div>
      <fieldset>
        <legend className="mb-1 text-sm font-medium">{t("visibility")}</legend>
        <div className="flex flex-wrap gap-4 text-sm">
          {(["public", "private"] as const).map((v) => (
            <label key={v} className="flex items-center gap-2">
              <input type="radio" name="visibility" value={v} checked={visibility === v} onChange={() => setVisibility(v)} />
              {t(v)}
            </label>
          ))}
        </div>
      </fieldset>
      {error ? <p role="alert" className="text-sm text-red-600 dark:text-red-400">{error}</p> : null}
      <div className="flex gap-2">
        <button type="submit" disabled={busy || !name.trim() || charCount(name) > MAX_ROOM_NAME || charCount(topic) > MAX_TOPIC} className="rounded-lg bg-indigo-700 px-4 py-2 text-sm font-medium text-white hover:bg-indigo-600 disabled:opacity-50">
          {busy ? t("creating") : t("create")}
        </button>
        <button type="button" onClick={onCancel} className="rounded-lg px-4 py-2 text-sm hover:bg-slate-100 dark:hover:bg-slate-800">
          {t("cancel")}
        </button>
      </div>
    </form>
  );
}
