"use client";
/**
 * The length limit of a text field, said instead of enforced by `maxLength`
 * (which cuts pasted text silently): a count once the text nears the limit,
 * and a plain refusal with the limit once it is over. Counts characters as
 * the server does (code points, after trimming).
 */
import { useTranslations } from "next-intl";

export const charCount = (value: string) => [...value.trim()].length;

export function LimitHint({ id, value, max }: { id: string; value: string; max: number }) {
  const t = useTranslations("limit");
  const count = charCount(value);
  const over = count > max;
  return (
    <p id={id} aria-live="polite" className={`mt-1 text-xs ${over ? "font-medium text-red-700 dark:text-red-400" : "text-slate-600 dark:text-slate-400"}`}>
      {over ? t("over", { count, max }) : count >= max * 0.8 ? t("count", { count, max }) : null}
    </p>
  );
}
