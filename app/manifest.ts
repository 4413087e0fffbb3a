import type { MetadataRoute } from "next";

/**
 * The web app manifest (served at /manifest.webmanifest): what makes Relay
 * installable. Icons: the SVG mark for any size, PNGs for launchers that want
 * bitmaps, and a maskable one with the safe zone padded for round masks.
 */
export default function manifest(): MetadataRoute.Manifest {
  return {
    name: "Relay",
    short_name: "Relay",
    description: "Realtime chat on your own server, with live feeds you can embed anywhere.",
    start_url: "/",
    scope: "/",
    display: "standalone",
    background_color: "#0f172a",
    theme_color: "#4f46e5",
    icons: [
      { src: "/icon.svg", sizes: "any", type: "image/svg+xml" },
      { src: "/icons/icon-192.png", sizes: "192x192", type: "image/png" },
      { src: "/icons/icon-512.png", sizes: "512x512", type: "image/png" },
      { src: "/icons/maskable-512.png", sizes: "512x512", type: "image/png", purpose: "maskable" },
    ],
  };
}
