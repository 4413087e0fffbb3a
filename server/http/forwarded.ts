/**
 * Who is asking, and at which address they reached us, behind proxies.
 *
 * X-Forwarded-For/-Proto/-Host are headers any client can send, so they are
 * believed only from peers TRUST_PROXY names: a hop count ("1": the nearest
 * proxy), or addresses and subnets ("loopback", "10.0.0.0/8, 192.168.1.2"),
 * read with proxy-addr as Express does. Without TRUST_PROXY nothing forwarded
 * is believed: the client is the TCP peer, the origin is what the Host header
 * and the socket's encryption say.
 *
 * The same answer feeds the rate limits (the client address) and the origin
 * check (scheme, host and port, compared whole).
 */
import type { IncomingMessage } from "node:http";
import type { TLSSocket } from "node:tls";
import proxyaddr from "proxy-addr";

export interface ProxyTrust {
  /** The client's address: the TCP peer, or the first untrusted address in X-Forwarded-For. */
  clientAddress(req: IncomingMessage): string;
  /** The origin the client used to reach us: `scheme://host[:port]`, or null without a Host. */
  origin(req: IncomingMessage): string | null;
}

type Trust = (addr: string, i: number) => boolean;

/** TRUST_PROXY's value as proxy-addr's trust function; throws on a value it cannot read. */
export function parseTrustProxy(setting: string | undefined): Trust {
  const value = (setting ?? "").trim();
  if (!value || value === "false" || value === "0") return () => false;
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    return (_addr, i) => i < hops;
  }
  // "true" would trust every hop, so any client could claim any address: refused on purpose.
  if (value === "true") throw new Error('must be a hop count or a list of proxy addresses, not "true"');
  return proxyaddr.compile(value.split(",").map((s) => s.trim()).filter(Boolean));
}

const first = (header: string | string[] | undefined) => (Array.isArray(header) ? header[0] : header)?.split(",")[0]?.trim() || undefined;

export function createProxyTrust(setting: string | undefined): ProxyTrust {
  const trust = parseTrustProxy(setting);
  /** The nearest peer is a proxy we trust: its X-Forwarded-* headers count. */
  const fromTrustedProxy = (req: IncomingMessage) => trust(req.socket.remoteAddress ?? "", 0);
  return {
    clientAddress(req) {
      return proxyaddr(req, trust);
    },
    origin(req) {
      const forwarded = fromTrustedProxy(req);
      const encrypted = (req.socket as TLSSocket).encrypted === true;
      const proto = (forwarded && first(req.headers["x-forwarded-proto"])) || (encrypted ? "https" : "http");
      const host = (forwarded && first(req.headers["x-forwarded-host"])) || req.headers.host;
      if (!host || !/^https?$/.test(proto)) return null;
      try {
        return new URL(`${proto}://${host}`).origin;
      } catch {
        return null;
      }
    },
  };
}
