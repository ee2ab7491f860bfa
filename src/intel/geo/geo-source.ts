/**
 * The geo intel source: `asn`, `as_owner`, `country` and `continent` of an IP address from local
 * databases. Defaults are the files of the installed ip-location-db packages; a MaxMind
 * GeoLite2-Country or GeoLite2-ASN MMDB can replace them (the record shape tells which is which).
 */
import { access } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import maxmind, { type Reader, type Response } from 'maxmind';
import { PluginError, type IntelResult, type IntelSource, type IntelTarget, type Readiness } from '../../core/plugin.js';
import { AsnTable } from './asn-table.js';
import { continentOf } from './continents.js';
import { geoManifest } from './manifest.js';

export interface GeoSourceOptions {
  /** Country MMDB: ip-location-db's (`country_code`) or MaxMind GeoLite2-Country (`country.iso_code`). */
  countryMmdb?: string;
  /** ip-location-db numeric ASN CSVs; ignored when `asnMmdb` is given. */
  asnCsvIpv4?: string;
  asnCsvIpv6?: string;
  /** MaxMind GeoLite2-ASN MMDB instead of the CSVs. */
  asnMmdb?: string;
  cacheTtlMs?: number;
}

/** The fields of either country MMDB flavour that we read. */
interface CountryRecord {
  country_code?: string;
  country?: { iso_code?: string };
  registered_country?: { iso_code?: string };
  continent?: { code?: string };
}

interface AsnRecord {
  autonomous_system_number?: number;
  autonomous_system_organization?: string;
}

const IP_LOCATION_DB_ATTRIBUTION =
  'ip-location-db data under CC BY 4.0: RIR statistics by NRO (nro.net), IP to ASN by RouteViews (routeviews.org) and DB-IP (db-ip.com)';
const MAXMIND_ATTRIBUTION = 'includes GeoLite2 data created by MaxMind (maxmind.com), GeoLite2 End User License Agreement';
/** Geo data changes slowly and lookups are local: a day keeps objects' attributes steady. */
const DEFAULT_CACHE_TTL_MS = 24 * 60 * 60_000;

const requireFromHere = createRequire(import.meta.url);

/** Files of the installed ip-location-db packages. */
export function defaultGeoFiles(): Required<Pick<GeoSourceOptions, 'countryMmdb' | 'asnCsvIpv4' | 'asnCsvIpv6'>> {
  return {
    countryMmdb: requireFromHere.resolve('@ip-location-db/geo-whois-asn-country-mmdb/geo-whois-asn-country.mmdb'),
    asnCsvIpv4: requireFromHere.resolve('@ip-location-db/asn/asn-ipv4-num.csv'),
    asnCsvIpv6: requireFromHere.resolve('@ip-location-db/asn/asn-ipv6-num.csv'),
  };
}

const yyyymmdd = (d: Date): string => d.toISOString().slice(0, 10).replaceAll('-', '');

export class GeoSource implements IntelSource {
  readonly manifest = geoManifest;
  readonly cacheTtlMs: number;
  private readonly options: GeoSourceOptions;
  private countryReader?: Reader<Response>;
  private asnReader?: Reader<Response>;
  private asnTable?: Promise<AsnTable>;
  private asnCsvs?: { ipv4?: string; ipv6?: string };

  constructor(options: GeoSourceOptions = {}) {
    this.options = options;
    this.cacheTtlMs = options.cacheTtlMs ?? DEFAULT_CACHE_TTL_MS;
  }

  async start(): Promise<Readiness> {
    const defaults = safeDefaults();
    const loaded: string[] = [];
    const problems: string[] = [];
    const attributions = new Set<string>();

    const countryFile = this.options.countryMmdb ?? defaults?.countryMmdb;
    if (countryFile) {
      try {
        this.countryReader = await maxmind.open<Response>(countryFile);
        const maxMind = this.countryReader.metadata.databaseType.startsWith('GeoLite2') || this.countryReader.metadata.databaseType.startsWith('GeoIP2');
        attributions.add(maxMind ? MAXMIND_ATTRIBUTION : IP_LOCATION_DB_ATTRIBUTION);
        loaded.push(`country: ${path.basename(countryFile)} (built ${yyyymmdd(this.countryReader.metadata.buildEpoch)})`);
      } catch (err) {
        problems.push(`country database ${countryFile}: ${(err as Error).message}`);
      }
    } else problems.push('no country database');

    if (this.options.asnMmdb) {
      try {
        this.asnReader = await maxmind.open<Response>(this.options.asnMmdb);
        attributions.add(MAXMIND_ATTRIBUTION);
        loaded.push(`ASN: ${path.basename(this.options.asnMmdb)} (built ${yyyymmdd(this.asnReader.metadata.buildEpoch)})`);
      } catch (err) {
        problems.push(`ASN database ${this.options.asnMmdb}: ${(err as Error).message}`);
      }
    } else {
      const csvs = { ipv4: this.options.asnCsvIpv4 ?? defaults?.asnCsvIpv4, ipv6: this.options.asnCsvIpv6 ?? defaults?.asnCsvIpv6 };
      const present: Array<[string, string]> = [];
      for (const [family, file] of Object.entries(csvs)) {
        if (!file) continue;
        try {
          await access(file);
          present.push([family, file]);
        } catch {
          problems.push(`ASN table ${file} is missing`);
        }
      }
      if (present.length > 0) {
        this.asnCsvs = Object.fromEntries(present);
        attributions.add(IP_LOCATION_DB_ATTRIBUTION);
        // The table takes about a second and 15 MB to load: done on the first lookup, not at start-up.
        loaded.push(`ASN: ${present.map(([, f]) => path.basename(f)).join(' + ')} (loaded on first lookup)`);
      }
    }

    const ready = loaded.length > 0;
    const detail = [...loaded, ...problems, ...attributions].join('; ');
    const built = this.countryReader?.metadata.buildEpoch ?? this.asnReader?.metadata.buildEpoch;
    return { ready, detail, signatureVersion: built ? yyyymmdd(built) : undefined };
  }

  async close(): Promise<void> {
    this.countryReader = undefined;
    this.asnReader = undefined;
    this.asnTable = undefined;
  }

  async lookup(target: IntelTarget, signal: AbortSignal): Promise<IntelResult> {
    if (target.kind !== 'ip') throw new PluginError('type-unsupported', 'the geo source answers IP addresses only');
    if (!maxmind.validate(target.address)) throw new PluginError('bad-address', `not an IP address: ${target.address}`);
    signal.throwIfAborted();
    const attributes: Record<string, unknown> = {};

    const asn = await this.lookupAsn(target.address);
    if (asn) {
      attributes.asn = asn.asn;
      attributes.as_owner = asn.owner;
    }

    const record = this.countryReader?.get(target.address) as CountryRecord | null | undefined;
    const country = record?.country_code ?? record?.country?.iso_code ?? record?.registered_country?.iso_code;
    if (country) {
      attributes.country = country;
      const continent = record?.continent?.code ?? continentOf(country);
      if (continent) attributes.continent = continent;
    }
    return { attributes };
  }

  private async lookupAsn(address: string): Promise<{ asn: number; owner: string } | undefined> {
    if (this.asnReader) {
      const record = this.asnReader.get(address) as AsnRecord | null;
      if (record?.autonomous_system_number === undefined) return undefined;
      return { asn: record.autonomous_system_number, owner: record.autonomous_system_organization ?? '' };
    }
    if (!this.asnCsvs) return undefined;
    this.asnTable ??= AsnTable.load(this.asnCsvs.ipv4, this.asnCsvs.ipv6);
    let table: AsnTable;
    try {
      table = await this.asnTable;
    } catch (err) {
      // Let a later lookup try again (e.g. a file being replaced), instead of failing forever.
      this.asnTable = undefined;
      throw new PluginError('geo-database', `ASN table failed to load: ${(err as Error).message}`, true);
    }
    return table.lookup(address);
  }
}

/** The installed ip-location-db files, or undefined when the packages are absent. */
function safeDefaults(): ReturnType<typeof defaultGeoFiles> | undefined {
  try {
    return defaultGeoFiles();
  } catch {
    return undefined;
  }
}
