/**
 * Renders RDAP answers as the WHOIS text people know: registrar-style `Key: value` lines for
 * domains, ARIN-style aligned lines for IP networks. VT's `whois` attribute is this text.
 */
import {
  entitiesWithRole,
  entityEmail,
  entityName,
  entityPhone,
  eppStatus,
  eventDate,
  nameservers,
  networkCidrs,
  publicId,
  statuses,
  text,
  vcardCountry,
  whoisDate,
  type Json,
} from './rdap-object.js';

type Line = [string, string | undefined];

const render = (lines: Line[], pad = 0): string =>
  lines
    .filter((l): l is [string, string] => l[1] !== undefined && l[1] !== '')
    .map(([k, v]) => `${`${k}:`.padEnd(pad)} ${v}`)
    .join('\n');

export function domainWhoisText(domain: Json, queriedName: string): string {
  const registrar = entitiesWithRole(domain, 'registrar')[0];
  const registrarAbuse = registrar ? entitiesWithRole(registrar, 'abuse')[0] : undefined;
  const abuse = registrarAbuse ?? entitiesWithRole(domain, 'abuse')[0];
  const registrant = entitiesWithRole(domain, 'registrant')[0];
  const secureDns = domain.secureDNS as Json | undefined;
  const lines: Line[] = [
    ['Domain Name', (text(domain.ldhName) ?? queriedName).toUpperCase()],
    ['Registry Domain ID', text(domain.handle)],
    ['Registrar WHOIS Server', text(registrar?.port43) ?? text(domain.port43)],
    ['Updated Date', whoisDate(eventDate(domain, 'last changed'))],
    ['Creation Date', whoisDate(eventDate(domain, 'registration'))],
    ['Registry Expiry Date', whoisDate(eventDate(domain, 'expiration'))],
    ['Registrar', registrar && entityName(registrar)],
    ['Registrar IANA ID', registrar && publicId(registrar, 'IANA Registrar ID')],
    ['Registrar Abuse Contact Email', abuse && entityEmail(abuse)],
    ['Registrar Abuse Contact Phone', abuse && entityPhone(abuse)],
    ...statuses(domain).map((s): Line => {
      const code = eppStatus(s);
      return ['Domain Status', `${code} https://icann.org/epp#${code}`];
    }),
    ['Registrant Organization', registrant && entityName(registrant)],
    ['Registrant Country', registrant && vcardCountry(registrant)],
    ...nameservers(domain).map((n): Line => ['Name Server', n.toUpperCase()]),
    ['DNSSEC', secureDns ? (secureDns.delegationSigned === true ? 'signedDelegation' : 'unsigned') : undefined],
  ];
  const databaseUpdate = whoisDate(eventDate(domain, 'last update of rdap database'));
  const body = render(lines);
  return databaseUpdate ? `${body}\n>>> Last update of RDAP database: ${databaseUpdate} <<<` : body;
}

/** ARIN writes `DIRECT ALLOCATION`; WHOIS shows `Direct Allocation`. */
const titleCase = (s: string | undefined) => s?.toLowerCase().replace(/\b\w/g, (c) => c.toUpperCase());

export function ipWhoisText(network: Json): string {
  const registrant = entitiesWithRole(network, 'registrant')[0];
  const abuse = entitiesWithRole(network, 'abuse')[0];
  const start = text(network.startAddress);
  const end = text(network.endAddress);
  const orgName = registrant && entityName(registrant);
  const orgHandle = text(registrant?.handle);
  const lines: Line[] = [
    ['NetRange', start && end ? `${start} - ${end}` : undefined],
    ['CIDR', networkCidrs(network).join(', ')],
    ['NetName', text(network.name)],
    ['NetHandle', text(network.handle)],
    ['Parent', text(network.parentHandle)],
    ['NetType', titleCase(text(network.type))],
    ['RegDate', whoisDate(eventDate(network, 'registration'))?.slice(0, 10)],
    ['Updated', whoisDate(eventDate(network, 'last changed'))?.slice(0, 10)],
    ['Country', text(network.country)],
    ['Organization', orgName && orgHandle ? `${orgName} (${orgHandle})` : orgName],
    ['OrgCountry', registrant && vcardCountry(registrant)],
    ['OrgAbuseEmail', abuse && entityEmail(abuse)],
    ['OrgAbusePhone', abuse && entityPhone(abuse)],
  ];
  return render(lines, 15);
}
