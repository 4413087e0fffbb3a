/**
 * next-intl request config without locale routing: the locale comes from the
 * user's choice (a cookie) or, failing that, the browser's Accept-Language.
 */
import { cookies, headers } from "next/headers";
import { getRequestConfig } from "next-intl/server";
import { fromAcceptLanguage, isLocale, LOCALE_COOKIE } from "./locales";

export default getRequestConfig(async () => {
  const chosen = (await cookies()).get(LOCALE_COOKIE)?.value;
  const locale = isLocale(chosen) ? chosen : fromAcceptLanguage((await headers()).get("accept-language"));
  return {
    locale,
    messages: (await import(`./messages/${locale}.json`)).default,
    // Times are only rendered in the browser (messages load over the socket),
    // in the browser's own time zone.
    timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
  };
});
