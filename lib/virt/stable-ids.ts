import { createHash } from 'crypto';

/**
 * Identifiers of a VM that must not change between syntheses (a changed firmware UUID or MAC is a
 * different machine to the guest: licences, udev/NetworkManager names, DHCP leases).
 */

/** A UUID (version 5 layout) derived from a string, stable across syntheses. */
export function stableUuid(seed: string): string {
  const h = createHash('sha1').update(`ocpkit/${seed}`).digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

/** A locally administered unicast MAC derived from a string (`02:xx:xx:xx:xx:xx`). */
export function stableMac(seed: string): string {
  const h = createHash('sha1').update(`ocpkit-mac/${seed}`).digest();
  return ['02', ...[...h.subarray(0, 5)].map((b) => b.toString(16).padStart(2, '0'))].join(':');
}
