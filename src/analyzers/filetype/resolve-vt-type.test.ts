/** The VT type table, strelka-style: evidence fixtures in, expected VirusTotal type attributes out. */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { resolveVtType, type TypeEvidence } from './resolve-vt-type.js';
import { VT_TYPE_RULES, type VtFileType } from './vt-type-table.js';

interface Case {
  case: string;
  evidence: TypeEvidence;
  expected: VtFileType;
}

const cases = JSON.parse(
  readFileSync(new URL('../../../test/fixtures/analyzers/vt-types.json', import.meta.url), 'utf8'),
) as Case[];

test('every fixture resolves to its expected VT type', () => {
  assert.ok(cases.length >= 40);
  for (const c of cases) assert.deepEqual(resolveVtType(c.evidence), c.expected, c.case);
});

test('each rule is well formed: its tag ends up in type_tags and it can match something', () => {
  for (const rule of VT_TYPE_RULES) {
    assert.ok(rule.type_tags.includes(rule.type_tag), `${rule.type_description}: ${rule.type_tag} not in type_tags`);
    assert.ok(rule.magic || rule.magika || rule.mime, `${rule.type_description} has nothing to match on`);
    assert.equal(new Set(rule.type_tags).size, rule.type_tags.length, `${rule.type_description} repeats a tag`);
  }
});

test('no Magika label or MIME type is claimed by two rules (the second would be dead)', () => {
  for (const key of ['magika', 'mime'] as const) {
    const seen = new Map<string, string>();
    for (const rule of VT_TYPE_RULES) {
      for (const value of rule[key] ?? []) {
        assert.ok(!seen.has(value), `${key} ${value} is in both ${seen.get(value)} and ${rule.type_description}`);
        seen.set(value, rule.type_description);
      }
    }
  }
});

const modelDir = process.env.ASSAY_MAGIKA_MODEL_DIR ?? '/work/shared/magika';
const configPath = path.join(modelDir, 'config.min.json');

test('every Magika label in the table is one the model can output', { skip: existsSync(configPath) ? false : `no Magika config at ${configPath}` }, () => {
  const config = JSON.parse(readFileSync(configPath, 'utf8')) as { target_labels_space: string[] };
  // Labels Magika produces itself, outside the model's label space.
  const known = new Set([...config.target_labels_space, 'empty', 'txt', 'unknown']);
  for (const rule of VT_TYPE_RULES) {
    for (const label of rule.magika ?? []) assert.ok(known.has(label), `${rule.type_description}: unknown Magika label ${label}`);
  }
});
