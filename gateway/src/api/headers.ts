import type { IncomingHttpHeaders } from 'node:http';

/** Hop-by-hop headers (RFC 9110 §7.6.1) are for one connection and never forwarded. */
const HOP_BY_HOP = new Set(['expect', 'connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host']);

export function upstreamRequestHeaders(
  incoming: IncomingHttpHeaders,
  strip: ReadonlySet<string>,
  added: Record<string, string>,
  clientAddress: string | undefined,
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const connectionListed = listedInConnection(incoming.connection);
  for (const [name, value] of Object.entries(incoming)) {
    if (value === undefined || HOP_BY_HOP.has(name) || strip.has(name) || connectionListed.has(name) || name.startsWith('x-tollgate-')) continue;
    out[name] = value;
  }
  if (incoming.host) out['x-forwarded-host'] = incoming.host;
  if (clientAddress) out['x-forwarded-for'] = incoming['x-forwarded-for'] ? `${incoming['x-forwarded-for']}, ${clientAddress}` : clientAddress;
  Object.assign(out, added);
  return out;
}

export function downstreamResponseHeaders(upstream: Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const connectionListed = listedInConnection(upstream.connection);
  for (const [name, value] of Object.entries(upstream)) {
    if (value === undefined || HOP_BY_HOP.has(name) || connectionListed.has(name)) continue;
    out[name] = value;
  }
  return out;
}

function listedInConnection(value: string | string[] | undefined): Set<string> {
  if (!value) return new Set();
  return new Set((Array.isArray(value) ? value.join(',') : value).split(',').map((s) => s.trim().toLowerCase()).filter(Boolean));
}
