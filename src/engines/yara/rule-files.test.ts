/** Rule file discovery, per-file checking and grouping, on real YARA-X validation. */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, it } from 'node:test';
import { scratchDir } from '../contract.case.test.js';
import { declaredRules, groupRuleFiles, planCompile, readRuleFiles, type Validate } from './rule-files.js';

const { validate } = createRequire(import.meta.url)('@litko/yara-x') as { validate: Validate };

describe('declaredRules', () => {
  it('finds rule declarations, not the word rule in comments, strings or regexes', () => {
    const source = `
      import "pe"
      // rule Commented_Out { condition: true }
      /* rule Block_Commented { condition: true } */
      private rule Helper { condition: true }
      global private rule Gate : tag1 { condition: filesize < 10MB }
      rule Real : tag2 {
        meta: description = "looks like rule Fake {"
        strings: $re = /rule Regex_Fake \\{/ $s = "say \\"rule Quoted\\""
        condition: Helper and ($re or $s)
      }`;
    assert.deepEqual(declaredRules(source), { names: ['Helper', 'Gate', 'Real'], hasGlobal: true });
    assert.deepEqual(declaredRules('rule a { condition: true } rule b { condition: false }'), { names: ['a', 'b'], hasGlobal: false });
  });
});

describe('groupRuleFiles', () => {
  it('shares one set unless names collide or a file has a global rule', () => {
    const sets = groupRuleFiles([
      { index: 0, names: ['A', 'B'], hasGlobal: false },
      { index: 1, names: ['C'], hasGlobal: false },
      { index: 2, names: ['A'], hasGlobal: false },
      { index: 3, names: ['G', 'D'], hasGlobal: true },
    ]);
    assert.deepEqual(sets, [[0, 1], [2], [3]]);
    assert.deepEqual(groupRuleFiles([]), []);
  });
});

describe('planCompile', () => {
  it('reports each broken file with its YARA-X error and plans the rest', () => {
    const plan = planCompile(
      [
        'rule ok1 { strings: $a = "a" condition: $a }',
        'rule bad { strings: $a = "a" $b = "b" condition: $a }',
        'rule ok2 { condition: true',
        'include "other.yar"\nrule ok3 { condition: true }',
        'rule ok4 { condition: filesize > 0 }',
      ],
      validate,
    );
    assert.deepEqual(plan.sets, [[0, 4]]);
    assert.deepEqual(plan.ruleNames, [['ok1'], [], [], [], ['ok4']]);
    assert.deepEqual(
      plan.failures.map((f) => f.file),
      [1, 2, 3],
    );
    assert.match(plan.failures[0]!.error, /^error\[E022\]: unused pattern `\$b` \(line 1, column \d+\)$/);
    assert.match(plan.failures[1]!.error, /^error\[E\d+\]/);
    assert.match(plan.failures[2]!.error, /include/i, 'includes are disabled');
  });
});

describe('readRuleFiles', () => {
  it('reads .yar and .yara recursively in order, ignores other files and missing directories', async () => {
    const dir = path.join(scratchDir(), 'read-rules');
    mkdirSync(path.join(dir, 'sub'), { recursive: true });
    writeFileSync(path.join(dir, 'b.yara'), 'rule b { condition: true }');
    writeFileSync(path.join(dir, 'a.yar'), 'rule a { condition: true }');
    writeFileSync(path.join(dir, 'sub', 'c.YAR'), 'rule c { condition: true }');
    writeFileSync(path.join(dir, 'readme.md'), 'rule nope');
    const { files, failures } = await readRuleFiles([
      { dir, origin: 'local' },
      { dir: '/nonexistent/rules', origin: 'local' },
    ]);
    assert.deepEqual(failures, []);
    assert.deepEqual(
      files.map((f) => f.rulesetName),
      ['a.yar', 'b.yara', 'sub/c.YAR'],
    );
    assert.match(files[0]!.rulesetId, /^[0-9a-f]{10}$/);
    assert.equal(files[0]!.origin, 'local');
  });
});
