// Next.js configuration (ESM: the package is "type": "module").
import createNextIntlPlugin from "next-intl/plugin";

const withNextIntl = createNextIntlPlugin("./components/i18n/request.ts");

/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // Native and driver-adapter packages are loaded by Node, not bundled. Pages
  // reach the database only through the context the custom server registers.
  serverExternalPackages: ["better-sqlite3", "@prisma/adapter-better-sqlite3", "@prisma/client"],
  // LAN and 127.0.0.1 access in `npm run dev` (HMR's own origin check).
  allowedDevOrigins: ["127.0.0.1", "*.local"],
  experimental: {
    // forbidden() / unauthorized() from next/navigation: /admin answers a
    // signed-in non-admin with a real 403 and app/forbidden.tsx.
    authInterrupts: true,
  },
};

export default withNextIntl(nextConfig);
