/** Public IPv4 literals in a file's strings: built-in command servers, not version numbers or local addresses. */

const IPV4 = /(?<![\d.])(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?::(\d{2,5}))?(?![\d.])/g;
const MAX_SCAN = 2000;

function isPublic(o: number[]): boolean {
  const [a, b] = o as [number, number, number, number];
  if (o.some((x) => x > 255) || a === 0 || a === 10 || a === 127 || a >= 224) return false;
  if ((a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254) || (a === 100 && b >= 64 && b <= 127)) return false;
  // Version-like literals (1.2.3.4, 2.0.0.0, 8.8.8.8-style repeats) are too common in benign strings.
  if (o.every((x) => x < 10) || new Set(o).size === 1 || (o[2] === 0 && o[3] === 0)) return false;
  return true;
}

/**
 * Public addresses with a port (`1.2.3.4:8080`) and without, at most a few of each. `standalone`
 * keeps only addresses that are a string of their own (a line of `text`, optionally as a URL): how
 * a program stores the server it calls, rather than an example inside a help message.
 */
export function publicIps(text: string, options: { standalone?: boolean } = {}): { withPort: string[]; bare: string[] } {
  const withPort: string[] = [];
  const bare: string[] = [];
  let n = 0;
  for (const m of text.matchAll(IPV4)) {
    if (++n > MAX_SCAN || (withPort.length >= 5 && bare.length >= 5)) break;
    const octets = m.slice(1, 5).map(Number);
    if (options.standalone && !standaloneAt(text, m.index, m[0].length)) continue;
    if (!isPublic(octets)) continue;
    if (m[5] && Number(m[5]) > 0 && Number(m[5]) < 65536) withPort.push(m[0]);
    else bare.push(m[0]);
  }
  return { withPort, bare };
}

function standaloneAt(text: string, index: number, length: number): boolean {
  const start = text.lastIndexOf('\n', index - 1) + 1;
  const endAt = text.indexOf('\n', index + length);
  const line = text.slice(start, endAt === -1 ? text.length : endAt);
  const before = text.slice(start, index);
  const after = text.slice(index + length, endAt === -1 ? text.length : endAt);
  return line.length <= 200 && /^(?:[a-z]{3,8}:\/\/)?$/i.test(before.trim()) && /^(?:\/\S*)?$/.test(after.trim());
}
