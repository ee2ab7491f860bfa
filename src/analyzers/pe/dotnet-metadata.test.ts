// .NET assemblies compiled here with Mono's mcs; monodis (Mono's metadata dumper) is the reference for the tables.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { analyzePe } from './analyze-pe.js';
import { PeWorkspace } from './testing/build-pe.js';

const PROGRAM = `
using System;
using System.Reflection;
[assembly: AssemblyVersion("3.1.4.1")]
class Program { static void Main() { Console.WriteLine(typeof(System.Xml.XmlDocument).Name); } }
`;
const LIBRARY = `
using System.Reflection;
using System.Runtime.InteropServices;
[assembly: AssemblyVersion("2.7.1828.18")]
[assembly: AssemblyCulture("")]
public class Library {
  [DllImport("kernel32.dll")] public static extern uint GetTickCount();
  public int Twice(int x) { return 2 * x; }
}
`;

/** The Assembly row and AssemblyRef rows as monodis prints them. */
function monodis(ws: PeWorkspace, file: string): { name: string; version: string; refs: Record<string, string> } {
  const assembly = ws.run('monodis', ['--assembly', file]);
  const name = /^Name:\s*(.*)$/m.exec(assembly)![1]!.trim();
  const version = /^Version:\s*(.*)$/m.exec(assembly)![1]!.trim();
  const refs: Record<string, string> = {};
  const text = ws.run('monodis', ['--assemblyref', file]);
  for (const m of text.matchAll(/Version=(\S+)\s+Name=(\S+)/g)) refs[m[2]!] = m[1]!;
  return { name, version, refs };
}

describe('dot_net_assembly', () => {
  const ws = new PeWorkspace();
  const files: Record<string, string> = {};
  before(() => {
    ws.file('program.cs', PROGRAM);
    ws.file('library.cs', LIBRARY);
    ws.run('mcs', ['-r:System.Xml.dll', '-out:program.exe', 'program.cs']);
    ws.run('mcs', ['-target:library', '-out:library.dll', 'library.cs']);
    files.program = `${ws.dir}/program.exe`;
    files.library = `${ws.dir}/library.dll`;
  });
  after(() => ws.close());

  for (const which of ['program', 'library']) {
    it(`reads the assembly name, version and references of the ${which} as monodis does`, () => {
      const ref = monodis(ws, files[which]!);
      const { attributes, tags } = analyzePe(ws.read(files[which]!));
      const net = attributes.dot_net_assembly;
      assert.ok(net, 'CLR metadata found');
      assert.equal(net.assembly_name, ref.name);
      const d = net.assembly_data!;
      assert.equal(`${d.majorversion}.${d.minorversion}.${d.buildnumber}.${d.revisionnumber}`, ref.version);
      assert.deepEqual(
        Object.fromEntries(Object.entries(net.external_assemblies ?? {}).map(([k, v]) => [k, v.version])),
        ref.refs,
      );
      assert.match(net.clr_version, /^v\d/);
      assert.ok(tags.includes('assembly'));
      assert.match(attributes.packers?.assay ?? '', /\.NET/);
    });
  }

  it('lists P/Invoke module references', () => {
    assert.deepEqual(analyzePe(ws.read(files.library!)).attributes.dot_net_assembly?.external_modules, ['kernel32.dll']);
  });

  it('reads the streams it can when the stream count is absurd', () => {
    const bytes = Buffer.from(ws.read(files.program!));
    const bsjb = bytes.indexOf('BSJB', 0, 'latin1');
    bytes.writeUInt16LE(0xffff, bsjb + 16 + bytes.readUInt32LE(bsjb + 12) + 2);
    assert.equal(analyzePe(bytes).attributes.dot_net_assembly?.assembly_name, 'program');
  });

  it('keeps the rest of pe_info when the metadata root is damaged', () => {
    const bytes = Buffer.from(ws.read(files.program!));
    const bsjb = bytes.indexOf('BSJB', 0, 'latin1');
    bytes.writeUInt32LE(0x7fffffff, bsjb + 12); // version string length
    const { attributes, tags } = analyzePe(bytes);
    assert.ok(attributes.pe_info.sections.length > 0);
    assert.equal(attributes.dot_net_assembly, undefined);
    assert.ok(!tags.includes('assembly'));
  });
});
