/** Public surface of the geo intel source. */
export { AsnTable, type AsnEntry, type AsnTableStats } from './asn-table.js';
export { continentOf } from './continents.js';
export { GeoSource, defaultGeoFiles, type GeoSourceOptions } from './geo-source.js';
export { geoManifest } from './manifest.js';
