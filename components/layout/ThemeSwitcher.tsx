"use client";
/**
 * The theme switch: system, light or dark. The choice goes into a cookie (the
 * layout renders data-theme from it, so a reload paints the right theme at
 * once) and onto <html> right away; `color-scheme` follows data-theme in
 * globals.css, so native controls and scrollbars match.
 */
import { useTranslations } from "next-intl";
import { useEffect, useState } from "react";
import { THEME_COOKIE, THEMES, isTheme, type Theme } from "./theme";

function current(): Theme {
  const value = document.documentElement.dataset.theme;
  return isTheme(value) ? value : "system";
}

export function ThemeSwitcher() {
  const t = useTranslations("app.theme");
  const [theme, setTheme] = useState<Theme>("system");
  useEffect(() => setTheme(current()), []);

  const choose = (next: Theme) => {
    setTheme(next);
    document.cookie = `${THEME_COOKIE}=${next}; path=/; max-age=31536000; samesite=lax`;
    if (next === "system") delete document.documentElement.dataset.theme;
    else document.documentElement.dataset.theme = next;
  };

  return (
    <label className="flex items-center gap-1 text-xs text-slate-700 dark:text-slate-300">
      <span className="sr-only">{t("label")}</span>
      <select
        value={theme}
        onChange={(e) => isTheme(e.target.value) && choose(e.target.value)}
        data-testid="theme"
        className="max-w-[5.25rem] rounded-md border border-slate-300 bg-white px-1 py-1 sm:max-w-none sm:px-1.5 text-slate-800 dark:border-slate-600 dark:bg-slate-900 dark:text-slate-100"
      >
        {THEMES.map((value) => (
          <option key={value} value={value}>
            {t(value)}
          </option>
        ))}
      </select>
    </label>
  );
}
