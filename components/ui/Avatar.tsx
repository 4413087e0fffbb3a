/** An initial on a stable color derived from the user id. */
export function avatarHue(id: string): number {
  let h = 0;
  for (let i = 0; i < id.length; i++) h = (h * 31 + id.charCodeAt(i)) >>> 0;
  return h % 360;
}

export function Avatar({ id, name, size = "md" }: { id: string; name: string; size?: "sm" | "md" }) {
  const initial = [...name.trim()][0]?.toUpperCase() ?? "?";
  const dims = size === "sm" ? "h-6 w-6 text-xs" : "h-9 w-9 text-sm";
  return (
    <span
      aria-hidden="true"
      className={`${dims} inline-flex shrink-0 select-none items-center justify-center rounded-full font-semibold text-white`}
      style={{ backgroundColor: `hsl(${avatarHue(id)} 55% 42%)` }}
    >
      {initial}
    </span>
  );
}
