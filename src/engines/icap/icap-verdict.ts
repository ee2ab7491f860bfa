/**
 * An ICAP RESPMOD answer as a VT verdict: 204 is clean; a 200 is judged by the infection headers
 * vendors send (draft-stecher-icap-subid's X-Infection-Found and X-Violations-Found, and the older
 * X-Virus-ID / X-Virus-Name), else by whether the HTTP response came back modified (a block page).
 */
import { PluginError, type EngineVerdict } from '../../core/plugin.js';
import { header } from './icap-message.js';
import type { RespmodResult } from './icap-client.js';

export type IcapVerdict = Pick<EngineVerdict, 'category' | 'result'>;

/** Longest threat name kept (a hostile server could send a 64 KiB header). */
const MAX_NAME = 200;

export function icapVerdict(answer: RespmodResult): IcapVerdict {
  const { icap, httpStatus } = answer;
  if (icap.status === 204) return { category: 'undetected', result: null };
  if (icap.status !== 200) throw new PluginError('icap_error', `ICAP ${icap.status} ${icap.reason}`.trim(), icap.status >= 500);

  const infection = header(icap, 'x-infection-found');
  if (infection !== undefined) {
    const fields = infectionFields(infection);
    const name = clean(fields.get('threat')) ?? 'infected';
    // Type 0 is a virus, 1 a mail policy violation, 2 a container the server could not open (draft-stecher-icap-subid).
    const type = fields.get('type');
    if (type === '2') return { category: 'type-unsupported', result: name };
    return { category: type === '1' ? 'suspicious' : 'malicious', result: name };
  }
  const violations = violationNames(header(icap, 'x-violations-found'));
  if (violations.length > 0) return { category: 'malicious', result: violations[0]! };
  const virus = clean(header(icap, 'x-virus-id')) ?? clean(header(icap, 'x-virus-name'));
  if (virus !== undefined) return { category: 'malicious', result: virus };

  // No threat named: an unchanged 200 is the file echoed by a server that cannot answer 204; an
  // error status is the block page a server puts in place of what it refuses.
  if (httpStatus === undefined || (httpStatus >= 200 && httpStatus < 300)) return { category: 'undetected', result: null };
  return { category: 'malicious', result: `blocked (HTTP ${httpStatus})` };
}

/** `Type=0; Resolution=2; Threat=Eicar-Test-Signature;` → lower-case keys to values. */
function infectionFields(value: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const part of value.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
  }
  return fields;
}

/**
 * X-Violations-Found: a count, then four folded lines per violation (file name, threat name,
 * violation id, disposition).
 */
function violationNames(value: string | undefined): string[] {
  if (value === undefined) return [];
  const lines = value.split('\n').map((l) => l.trim());
  const count = Number(lines[0]);
  if (!Number.isInteger(count) || count <= 0) return [];
  const names: string[] = [];
  for (let i = 0; i < Math.min(count, 16); i++) {
    const name = clean(lines[1 + i * 4 + 1]);
    if (name !== undefined) names.push(name);
  }
  return names;
}

function clean(name: string | undefined): string | undefined {
  const trimmed = name?.replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, MAX_NAME);
  if (!trimmed || trimmed === '-') return undefined;
  // c-icap passes on clamd's name, which marks every third-party signature `.UNOFFICIAL`; VT shows the plain name.
  return trimmed.replace(/\.UNOFFICIAL$/, '');
}
