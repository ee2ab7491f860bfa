// Ordinal import names: our tables against pefile's ordlookup, and the imphash of a file importing ws2_32 and oleaut32 by ordinal.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { analyzePe } from './analyze-pe.js';
import { OLEAUT32_ORDINALS, WS2_32_ORDINALS } from './ordinal-tables.js';
import { PeWorkspace } from './testing/build-pe.js';
import { differences, pefileFacts, SYSTEM_PYTHON } from './testing/pefile-compare.js';

describe('ordinal imports', () => {
  const ws = new PeWorkspace();
  after(() => ws.close());

  it('names every ordinal it knows as pefile does', () => {
    const script = 'import json, ordlookup\nprint(json.dumps({"ws2_32": {k: v.decode() for k, v in ordlookup.ws2_32.ord_names.items()}, "oleaut32": {k: v.decode() for k, v in ordlookup.oleaut32.ord_names.items()}}))';
    const ref = JSON.parse(ws.run(SYSTEM_PYTHON, ['-c', script])) as Record<string, Record<string, string>>;
    for (const [dll, ours] of [['ws2_32', WS2_32_ORDINALS], ['oleaut32', OLEAUT32_ORDINALS]] as const) {
      const entries = Object.entries(ours);
      assert.ok(entries.length > 40, `${dll} table filled`);
      for (const [ordinal, name] of entries) assert.equal(name, ref[dll]![ordinal], `${dll} ordinal ${ordinal}`);
    }
  });

  it('gives the imphash pefile gives to imports by ordinal', async () => {
    // Import libraries that bind by ordinal only, as packed and hand-written malware often does.
    ws.file('ws2_32.def', 'LIBRARY ws2_32.dll\nEXPORTS\nsocket@12 @23 NONAME\nWSAStartup@8 @115 NONAME\nsome_new_call@0 @400 NONAME\n');
    ws.file('oleaut32.def', 'LIBRARY oleaut32.dll\nEXPORTS\nSysAllocString@4 @2 NONAME\n');
    ws.run('i686-w64-mingw32-dlltool', ['-k', '-d', 'ws2_32.def', '-l', 'libws2ord.a']);
    ws.run('i686-w64-mingw32-dlltool', ['-k', '-d', 'oleaut32.def', '-l', 'liboleord.a']);
    const exe = ws.compile(
      'ordinals.exe',
      {
        'main.c': `int __stdcall socket(int, int, int); int __stdcall WSAStartup(int, void *); int __stdcall some_new_call(void); void *__stdcall SysAllocString(const void *);
int main(void) { char d[512]; WSAStartup(0x202, d); SysAllocString(0); some_new_call(); return socket(2, 1, 0); }`,
      },
      { bits: 32, flags: ['-L.', '-lws2ord', '-loleord'] },
    );
    const ours = analyzePe(ws.read(exe));
    const [ref] = await pefileFacts([exe]);
    assert.deepEqual(differences(ours, ref!), []);
    const ws2 = ours.attributes.pe_info.import_list.find((l) => l.library_name.toLowerCase() === 'ws2_32.dll');
    assert.deepEqual(ws2?.imported_functions.slice().sort(), ['WSAStartup', 'ord400', 'socket']);
  });
});
