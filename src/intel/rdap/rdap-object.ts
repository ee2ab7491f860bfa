/**
 * Reading RDAP answers (RFC 9083): events, entities by role, jCard properties, network ranges.
 * Every reader tolerates missing or odd fields: registries differ, and a missing field is no error.
 */
import ipaddr from 'ipaddr.js';

export type Json = Record<string, unknown>;

/** Entities nest (a registrar's abuse contact, an org's contacts); past this depth we stop looking. */
const MAX_ENTITY_DEPTH = 4;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const objects = (v: unknown): Json[] => (Array.isArray(v) ? v.filter(isObject) : []);
export const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);
export const texts = (v: unknown): string[] => (Array.isArray(v) ? v.map(text).filter((s): s is string => s !== undefined) : []);

/** `eventDate` of the first event with this `eventAction`, as a Date. */
export function eventDate(object: Json, action: string): Date | undefined {
  const event = objects(object.events).find((e) => text(e.eventAction)?.toLowerCase() === action);
  const date = text(event?.eventDate);
  if (!date) return undefined;
  const parsed = new Date(date);
  return Number.isNaN(parsed.getTime()) ? undefined : parsed;
}

export const unixSeconds = (date: Date | undefined): number | undefined => (date ? Math.floor(date.getTime() / 1000) : undefined);

/** `2024-08-14T07:01:34Z`: registrar WHOIS's date form, always UTC. */
export const whoisDate = (date: Date | undefined): string | undefined => (date ? date.toISOString().replace(/\.\d{3}Z$/, 'Z') : undefined);

/** Entities with the role, breadth first through nested entities. */
export function entitiesWithRole(object: Json, role: string): Json[] {
  const found: Json[] = [];
  let level = objects(object.entities);
  for (let depth = 0; depth < MAX_ENTITY_DEPTH && level.length > 0; depth++) {
    for (const entity of level) if (texts(entity.roles).some((r) => r.toLowerCase() === role)) found.push(entity);
    level = level.flatMap((e) => objects(e.entities));
  }
  return found;
}

/** jCard properties `[name, params, type, value]` of an entity's vcardArray. */
function vcardProperties(entity: Json, name: string): Array<{ params: Json; value: unknown }> {
  const vcard = entity.vcardArray;
  if (!Array.isArray(vcard) || !Array.isArray(vcard[1])) return [];
  return (vcard[1] as unknown[])
    .filter((p): p is unknown[] => Array.isArray(p) && p[0] === name)
    .map((p) => ({ params: isObject(p[1]) ? p[1] : {}, value: p[3] }));
}

export function vcardText(entity: Json, name: string): string | undefined {
  for (const { value } of vcardProperties(entity, name)) {
    const v = Array.isArray(value) ? texts(value).join(' ') : text(value);
    if (v) return v;
  }
  return undefined;
}

/** Country of an entity's address: the `cc` parameter (ISO code), else the country-name component. */
export function vcardCountry(entity: Json): string | undefined {
  for (const { params, value } of vcardProperties(entity, 'adr')) {
    const cc = text(params.cc);
    if (cc) return cc.toUpperCase();
    if (Array.isArray(value)) {
      const name = text(value[6]);
      if (name) return name;
    }
  }
  return undefined;
}

/** The organisation an entity stands for: jCard `org`, else `fn`. */
export const entityName = (entity: Json): string | undefined => vcardText(entity, 'org') ?? vcardText(entity, 'fn');

export const entityEmail = (entity: Json): string | undefined => vcardText(entity, 'email');
/** jCard phones are often `tel:` URIs; WHOIS shows the number. */
export const entityPhone = (entity: Json): string | undefined => vcardText(entity, 'tel')?.replace(/^tel:/i, '');

export function publicId(entity: Json, type: string): string | undefined {
  return text(objects(entity.publicIds).find((p) => text(p.type)?.toLowerCase() === type.toLowerCase())?.identifier);
}

export const nameservers = (domain: Json): string[] => objects(domain.nameservers).map((n) => text(n.ldhName)).filter((s): s is string => !!s);

export const statuses = (object: Json): string[] => texts(object.status);

/** RDAP status words (RFC 8056) back to the EPP codes registrar WHOIS shows: `client delete prohibited` -> `clientDeleteProhibited`. */
export function eppStatus(rdapStatus: string): string {
  if (rdapStatus.toLowerCase() === 'active') return 'ok';
  return rdapStatus
    .trim()
    .split(/\s+/)
    .map((word, i) => (i === 0 ? word.toLowerCase() : word.charAt(0).toUpperCase() + word.slice(1).toLowerCase()))
    .join('');
}

/** The network's CIDRs: from the cidr0 extension, else from start/end when they form one block. */
export function networkCidrs(network: Json): string[] {
  const cidrs = objects(network.cidr0_cidrs)
    .map((c) => {
      const prefix = text(c.v4prefix) ?? text(c.v6prefix);
      return prefix && typeof c.length === 'number' ? `${prefix}/${c.length}` : undefined;
    })
    .filter((s): s is string => !!s);
  if (cidrs.length > 0) return cidrs;
  const single = rangeToCidr(text(network.startAddress), text(network.endAddress));
  return single ? [single] : [];
}

const toBigInt = (ip: ipaddr.IPv4 | ipaddr.IPv6): bigint => ip.toByteArray().reduce((acc, b) => (acc << 8n) | BigInt(b), 0n);

/** `start/len` when start..end is exactly one aligned block, else undefined. */
export function rangeToCidr(start: string | undefined, end: string | undefined): string | undefined {
  if (!start || !end || !ipaddr.isValid(start) || !ipaddr.isValid(end)) return undefined;
  const a = ipaddr.parse(start);
  const b = ipaddr.parse(end);
  if (a.kind() !== b.kind()) return undefined;
  const bits = a.kind() === 'ipv4' ? 32 : 128;
  const size = toBigInt(b) - toBigInt(a) + 1n;
  if (size <= 0n || (size & (size - 1n)) !== 0n) return undefined;
  const hostBits = size.toString(2).length - 1;
  if (toBigInt(a) % size !== 0n) return undefined;
  return `${a.toString()}/${bits - hostBits}`;
}

/** RIR names as VT writes them, by the registry's host names. */
const RIRS: Array<[RegExp, string]> = [
  [/arin/i, 'ARIN'],
  [/ripe/i, 'RIPE NCC'],
  [/apnic/i, 'APNIC'],
  [/lacnic/i, 'LACNIC'],
  [/afrinic/i, 'AFRINIC'],
];

/** The RIR behind a server URL, port43 host, handle suffix or conformance tag, when one names it. */
export function rirName(...hints: Array<string | undefined>): string | undefined {
  for (const hint of hints) {
    if (!hint) continue;
    const match = RIRS.find(([pattern]) => pattern.test(hint));
    if (match) return match[1];
  }
  return undefined;
}
