/**
 * Room addresses. A slug may be in any script ("设计评审"), so every link
 * percent-encodes it, and every page that reads one from its URL decodes it
 * (a slug never contains "%", so decoding is safe to repeat).
 */
export const roomPath = (slug: string) => `/r/${encodeURIComponent(slug)}`;
export const embedPath = (slug: string) => `/embed/${encodeURIComponent(slug)}`;

/** The slug named by a URL segment, as the server stores it (NFC, lower-case); null if the segment is malformed. */
export function slugFromSegment(segment: string): string | null {
  let decoded = segment;
  try {
    if (segment.includes("%")) decoded = decodeURIComponent(segment);
  } catch {
    return null;
  }
  return decoded.normalize("NFC").toLowerCase();
}
