"use client";
/**
 * Ways into a DM: a "Message" button next to a name in the presence list, and
 * an author's name in the message list, which opens the DM with them.
 */
import { useTranslations } from "next-intl";
import { useOpenDm } from "./useOpenDm";

export function DmButton({ user }: { user: { id: string; name: string } }) {
  const t = useTranslations("dm");
  const { open, busy, error } = useOpenDm();
  return (
    <>
      <button
        type="button"
        onClick={() => void open(user.id)}
        disabled={busy}
        aria-label={t("messageUser", { name: user.name })}
        title={error ?? t("messageUser", { name: user.name })}
        data-testid="dm-open"
        className="ml-auto shrink-0 rounded-md border border-slate-200 px-1.5 py-0.5 text-[11px] font-medium text-slate-600 hover:border-indigo-300 hover:text-indigo-700 disabled:opacity-50 dark:border-slate-700 dark:text-slate-300 dark:hover:border-indigo-700 dark:hover:text-indigo-300"
      >
        {t("message")}
      </button>
      {error ? (
        <span role="alert" className="sr-only">
          {error}
        </span>
      ) : null}
    </>
  );
}

/** An author's name; for someone else, a button that opens the DM with them. */
export function AuthorName({ author, meId }: { author: { id: string; name: string }; meId: string }) {
  const t = useTranslations("dm");
  const { open, busy, error } = useOpenDm();
  if (author.id === meId) return <span className="font-semibold" data-testid="author">{author.name}</span>;
  return (
    <button
      type="button"
      onClick={() => void open(author.id)}
      disabled={busy}
      title={error ?? t("messageUser", { name: author.name })}
      data-testid="author"
      className="font-semibold hover:underline focus-visible:underline disabled:opacity-60"
    >
      {author.name}
    </button>
  );
}
