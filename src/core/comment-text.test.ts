// Comment text: hashtags, the escaped html rendering, and what text is refused.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { charCount, commentHtml, commentTags, commentTextProblem, MAX_COMMENT_CHARS, normaliseTag } from './comment-text.js';

describe('commentTags', () => {
  it('lowercases, de-duplicates in first-seen order, and takes unicode letters, digits, _ and -', () => {
    assert.deepEqual(commentTags('#Phishing seen; also #phishing and #Emotet_v2 #c2-server #ÉMOTET #日本 #42'), [
      'phishing',
      'emotet_v2',
      'c2-server',
      'émotet',
      '日本',
      '42',
    ]);
  });

  it('finds tags at the start, after punctuation and across lines', () => {
    assert.deepEqual(commentTags('#first\n(#second), "#third".\t#fourth!'), ['first', 'second', 'third', 'fourth']);
  });

  it('ignores # glued to a word or an entity, bare #, and trims - at the ends', () => {
    assert.deepEqual(commentTags('C# a#b &#39; # ## #- #--x-- #ok'), ['x', 'ok']);
  });

  it('keeps combining marks and NFC-normalises, so composed and decomposed spellings are one tag', () => {
    assert.deepEqual(commentTags('#cafe\u0301 #café'), ['café']);
  });

  it('a text without hashtags has none', () => {
    assert.deepEqual(commentTags('plain text, no tags'), []);
  });
});

describe('normaliseTag', () => {
  it('is how filter=tag: compares: an optional #, case and Unicode form do not matter', () => {
    assert.equal(normaliseTag('#PHISHING'), 'phishing');
    assert.equal(normaliseTag('Cafe\u0301'), 'café');
  });
});

describe('commentHtml', () => {
  it('escapes every HTML-special character and turns line breaks into <br>', () => {
    assert.equal(
      commentHtml(`<script>alert("x")</script> & 'y'\r\nline2\nline3\rline4`),
      '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;<br>line2<br>line3<br>line4',
    );
  });

  it('leaves hashtags and other text as they are', () => {
    assert.equal(commentHtml('#phishing kit at example.com'), '#phishing kit at example.com');
  });

  it('escapes entities the user typed, so they show as typed', () => {
    assert.equal(commentHtml('&lt;b&gt;'), '&amp;lt;b&amp;gt;');
  });
});

describe('commentTextProblem', () => {
  it('accepts text up to the limit, counting code points', () => {
    assert.equal(commentTextProblem('fine'), undefined);
    assert.equal(commentTextProblem('x'.repeat(MAX_COMMENT_CHARS)), undefined);
    assert.equal(commentTextProblem('😀'.repeat(MAX_COMMENT_CHARS)), undefined, 'an emoji is one character');
    assert.equal(charCount('😀a'), 2);
  });

  it('refuses empty, blank, too long, NUL and lone surrogates', () => {
    assert.match(commentTextProblem('')!, /must not be empty/);
    assert.match(commentTextProblem(' \n\t ')!, /must not be empty/);
    assert.match(commentTextProblem('x'.repeat(MAX_COMMENT_CHARS + 1))!, /4001 characters long; the limit is 4000/);
    assert.match(commentTextProblem('a\u0000b')!, /NUL/);
    assert.match(commentTextProblem('a\ud800b')!, /lone surrogate/);
    assert.match(commentTextProblem('a\udc00')!, /lone surrogate/);
  });
});
