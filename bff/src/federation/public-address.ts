/**
 * The one place where a tenant chooses where the BFF connects: an upstream OpenID issuer
 * (docs/security.md#what-a-tenant-can-and-cannot-configure). Every request to it and to the
 * endpoints its discovery document names goes through `publicOnlyFetch`, which refuses a host that
 * resolves to a loopback, private, link-local or otherwise non-public address — so a tenant cannot
 * make the BFF fetch from the operator's own network. Development and local test providers
 * (FEDERATION_ALLOW_HTTP_LOOPBACK) are let through by the caller.
 */
import { lookup } from 'node:dns/promises';
import type { CustomFetchOptions } from 'openid-client';
import { BlockList, isIP } from 'node:net';
import { FederationFault } from './connector.ts';

const nonPublic = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  nonPublic.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 127], // :: and ::1
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  nonPublic.addSubnet(net, prefix, 'ipv6');

/** Whether an IP address (v4, v6, or v4-mapped v6) is one the public internet cannot reach. */
export function isNonPublicAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return nonPublic.check(mapped[1], 'ipv4');
  const family = isIP(address);
  if (family === 0) return true;
  return nonPublic.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** Refuses a host name that is, or resolves to, a non-public address (any of its addresses). */
export async function assertPublicHost(hostname: string): Promise<void> {
  const bare = hostname.replace(/^\[|\]$/g, '');
  const addresses = isIP(bare)
    ? [bare]
    : (await lookup(bare, { all: true, verbatim: true }).catch(() => [])).map((a) => a.address);
  if (addresses.length === 0) throw new FederationFault('unavailable', `${hostname} does not resolve`);
  if (addresses.some(isNonPublicAddress))
    throw new FederationFault('unavailable', `${hostname} resolves to a non-public address`);
}

/** `fetch` for an upstream chosen by a tenant: public hosts only. */
export async function publicOnlyFetch(url: string, options: CustomFetchOptions): Promise<Response> {
  await assertPublicHost(new URL(url).hostname);
  return fetch(url, options as RequestInit);
}
