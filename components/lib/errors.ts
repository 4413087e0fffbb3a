"use client";
/**
 * Server errors in the reader's language. Every error the server sends has a
 * `reason` (server/contract.ts ERROR_REASONS) and `params`; the catalog's
 * `errors.<reason>` renders them. Times in params (ISO 8601 strings) are shown
 * with Intl in the UI's locale and the browser's time zone; a field name is
 * translated from `errors.field.<name>`. Anything without a catalog entry
 * (better-auth's codes, a network failure) falls back to its code's generic
 * entry, never to the server's English.
 */
import { useFormatter, useTranslations } from "next-intl";
import { useCallback } from "react";
import { ApiError } from "./api";

export interface ErrorLike {
  code?: string;
  reason?: string;
  message?: string;
  params?: Record<string, string | number>;
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

export function useErrorText(): (err: unknown) => string {
  const t = useTranslations("errors");
  const format = useFormatter();
  return useCallback(
    (err: unknown) => {
      const e: ErrorLike =
        err instanceof ApiError
          ? { code: err.code, reason: err.reason, message: err.message, params: err.params }
          : err && typeof err === "object"
            ? (err as ErrorLike)
            : { code: "unavailable", message: String(err) };
      const values: Record<string, string | number> = {};
      for (const [key, value] of Object.entries(e.params ?? {})) {
        if (typeof value === "string" && ISO_TIME.test(value) && !Number.isNaN(Date.parse(value))) {
          values[key] = format.dateTime(new Date(value), { dateStyle: "medium", timeStyle: "short" });
        } else if (key === "field" && typeof value === "string") {
          values[key] = t.has(`field.${value}`) ? t(`field.${value}`) : value;
        } else values[key] = value;
      }
      // Placeholders a message may use whatever the server sent: a field it could not name, a wait it did not give.
      values.field ??= t("field.default");
      values.seconds ??= 0;
      for (const key of [e.reason, e.code]) {
        if (key && /^[a-z_]+$/.test(key) && t.has(key)) return t(key, values);
      }
      if (e.code === "network") return t("network");
      return t("unavailable");
    },
    [t, format],
  );
}
