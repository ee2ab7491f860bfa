// Packer and installer rules on real installers (makensis) and on built PEs given a packer's marks.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { analyzePe } from './analyze-pe.js';
import { PeWorkspace } from './testing/build-pe.js';

/** Renames the first sections of a PE in place (names of at most 8 bytes). */
function renameSections(pe: Buffer, names: string[]): Buffer {
  const out = Buffer.from(pe);
  const eLfanew = out.readUInt32LE(0x3c);
  const table = eLfanew + 24 + out.readUInt16LE(eLfanew + 20);
  names.forEach((name, i) => {
    out.fill(0, table + i * 40, table + i * 40 + 8);
    out.write(name, table + i * 40, 'latin1');
  });
  return out;
}

describe('packers', () => {
  const ws = new PeWorkspace();
  let plain = '';
  before(() => {
    plain = ws.compile('plain.exe', { 'main.c': 'int main(void) { return 0; }' }, { bits: 32 });
  });
  after(() => ws.close());

  it('finds nothing in a plain MinGW executable', () => {
    assert.equal(analyzePe(ws.read(plain)).attributes.packers, undefined);
  });

  it('recognises a Nullsoft installer built by makensis', () => {
    ws.file('setup.nsi', 'OutFile "setup.exe"\nSection\nSetOutPath $TEMP\nFile "setup.nsi"\nSectionEnd\n');
    ws.run('makensis', ['-V1', 'setup.nsi']);
    const { attributes, tags } = analyzePe(ws.read(`${ws.dir}/setup.exe`));
    assert.match(attributes.packers?.assay ?? '', /Nullsoft Installer/);
    assert.ok(tags.includes('overlay'));
  });

  it('recognises packers by their section names', () => {
    const cases: [string[], string][] = [
      [['UPX0', 'UPX1'], 'UPX'],
      [['.MPRESS1', '.MPRESS2'], 'MPRESS'],
      [['.aspack', '.adata'], 'ASPack'],
      [['.vmp0', '.vmp1'], 'VMProtect'],
      [['.themida'], 'Themida'],
      [['PEC2TO'], 'PECompact'],
    ];
    for (const [names, packer] of cases) {
      assert.equal(analyzePe(renameSections(ws.read(plain), names)).attributes.packers?.assay, packer, names.join(','));
    }
  });

  it('recognises PyInstaller and AutoIt markers in the overlay', () => {
    const withCookie = Buffer.concat([ws.read(plain), Buffer.alloc(1000, 7), Buffer.from('MEI\x0c\x0b\x0a\x0b\x0e', 'latin1'), Buffer.alloc(80)]);
    assert.equal(analyzePe(withCookie).attributes.packers?.assay, 'PyInstaller');
    const autoit = Buffer.concat([ws.read(plain), Buffer.from('\xa3\x48\x4b\xbe\x98\x6c\x4a\xa9\x99\x4c\x53\x0a\x86\xd6\x48\x7dAU3!EA06', 'latin1'), Buffer.alloc(100)]);
    assert.equal(analyzePe(autoit).attributes.packers?.assay, 'AutoIt');
  });
});
