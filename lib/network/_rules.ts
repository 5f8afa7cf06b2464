import { Problems, show } from '../core/errors';
import { Rule } from '../core/rules';

/** Smallest and largest MTU ocpkit accepts on bonds, bridges and networks. */
export const MIN_MTU = 576;
export const MAX_MTU = 9216;

/** Linux limits interface names to 15 bytes (IFNAMSIZ - 1). */
const IFNAME = /^[a-zA-Z0-9][-a-zA-Z0-9_.]{0,14}$/;

/** A Linux network interface name (bond, bridge, NIC): at most 15 characters, no '/' or spaces. */
export const interfaceName: Rule<unknown> = (v) => {
  if (typeof v === 'string' && v.length > 15) {
    return `${show(v)} is ${v.length} characters long; Linux interface names have at most 15 characters`;
  }
  if (typeof v !== 'string' || !IFNAME.test(v)) {
    return `${show(v)} is not a Linux interface name (letters, digits, '-', '_', '.', starting with a letter or digit, at most 15 characters)`;
  }
  return undefined;
};

/** An MTU within 576..9216. */
export const mtu: Rule<unknown> = (v) =>
  typeof v === 'number' && Number.isInteger(v) && v >= MIN_MTU && v <= MAX_MTU
    ? undefined
    : `${show(v)} is not a valid MTU; use an integer from ${MIN_MTU} to ${MAX_MTU} (1500 for standard Ethernet, 9000 for jumbo frames)`;

/** An 802.1Q VLAN id within 1..4094. */
export const vlanId: Rule<unknown> = (v) =>
  typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 4094
    ? undefined
    : `${show(v)} is not a VLAN id; use an integer from 1 to 4094`;

const MAC = /^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/;

/** A unicast MAC address written as six colon-separated hex pairs. */
export const macAddress: Rule<unknown> = (v) => {
  if (typeof v !== 'string' || !MAC.test(v)) {
    return `${show(v)} is not a MAC address; write six colon-separated hex pairs such as "02:00:00:00:00:01"`;
  }
  if (parseInt(v.slice(0, 2), 16) & 1) {
    return `${show(v)} is a multicast MAC address (lowest bit of the first octet set); use a unicast address such as "02:..."`;
  }
  return undefined;
};

function ipv4Octets(s: string): number[] | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || (p.length > 1 && p.startsWith('0'))) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    out.push(n);
  }
  return out;
}

/** Parses an IPv4 address to a 32-bit number, or undefined. */
export function parseIpv4(s: unknown): number | undefined {
  if (typeof s !== 'string') return undefined;
  const o = ipv4Octets(s);
  return o ? ((o[0] << 24) >>> 0) + (o[1] << 16) + (o[2] << 8) + o[3] : undefined;
}

/** Dotted quad of a 32-bit address (the inverse of {@link parseIpv4}). */
export function formatIpv4(n: number): string {
  return [24, 16, 8, 0].map((shift) => (n >>> shift) & 255).join('.');
}

/** Parsed IPv4 CIDR. */
export interface Cidr {
  readonly address: number;
  readonly prefix: number;
}

/** Parses `10.0.0.0/24` (IPv4 only), or undefined. */
export function parseCidr(s: unknown): Cidr | undefined {
  if (typeof s !== 'string') return undefined;
  const m = /^([0-9.]+)\/(\d{1,2})$/.exec(s);
  if (!m) return undefined;
  const address = parseIpv4(m[1]);
  const prefix = Number(m[2]);
  if (address === undefined || prefix > 32) return undefined;
  return { address, prefix };
}

/** True when the address lies in the network of the CIDR. */
export function cidrContains(c: Cidr, address: number): boolean {
  if (c.prefix === 0) return true;
  const mask = (~0 << (32 - c.prefix)) >>> 0;
  return ((c.address & mask) >>> 0) === ((address & mask) >>> 0);
}

/** An IPv4 CIDR such as `192.0.2.0/24`. */
export const cidr: Rule<unknown> = (v) =>
  parseCidr(v) ? undefined : `${show(v)} is not an IPv4 CIDR; write an address and a prefix length such as "192.0.2.0/24"`;

/** An IPv4 address with a prefix length, as an interface address (`192.0.2.10/24`). */
export const addressWithPrefix: Rule<unknown> = (v) =>
  parseCidr(v) ? undefined : `${show(v)} is not an IPv4 address with prefix length; write it like "192.0.2.10/24"`;

/** A plain IPv4 address. */
export const ipv4: Rule<unknown> = (v) =>
  parseIpv4(v) !== undefined ? undefined : `${show(v)} is not an IPv4 address (for example "192.0.2.1")`;

/**
 * The list a prop holds, or `[]` after recording a problem when it is neither a list nor absent
 * (JavaScript callers and data files can pass a string or an object where a list belongs).
 */
export function listProp<T>(p: Problems, field: string, value: readonly T[] | undefined | null, example: string): readonly T[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value;
  p.add(field, `${show(value)} is not a list; write a list such as ${example}`);
  return [];
}

/**
 * Whether two node selectors (matchLabels) may select the same node: only a label both require
 * with different values keeps them apart.
 */
export function selectorsMayOverlap(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  for (const [k, v] of Object.entries(a)) {
    if (Object.prototype.hasOwnProperty.call(b, k) && b[k] !== v) return false;
  }
  return true;
}
