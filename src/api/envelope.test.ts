// Envelope helpers: cursor rules, link building and path segments.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FastifyRequest } from 'fastify';
import { collection, Links, pathSegment } from './envelope.js';

const request = (url: string) => ({ url }) as FastifyRequest;

describe('envelope', () => {
  it('gives a cursor and next only with a non-empty page', () => {
    const next = (c: string) => `n:${c}`;
    assert.deepEqual(collection([1], 'c1', 's', next), { data: [1], meta: { cursor: 'c1' }, links: { self: 's', next: 'n:c1' } });
    assert.deepEqual(collection([], 'c1', 's', next), { data: [], meta: {}, links: { self: 's' } });
    assert.deepEqual(collection([1], undefined, 's', next), { data: [1], meta: {}, links: { self: 's' } });
    assert.deepEqual(collection([1], '', 's', next), { data: [1], meta: {}, links: { self: 's' } });
  });

  it('builds absolute links on the public base, trailing slash or not', () => {
    for (const base of ['https://h.example/', 'https://h.example']) {
      const links = new Links(() => base);
      assert.equal(links.file('ab'), 'https://h.example/api/v3/files/ab');
      assert.equal(links.self(request('/api/v3/x?a=1')), 'https://h.example/api/v3/x?a=1');
    }
  });

  it('keeps every query parameter in next, replacing cursor and limit', () => {
    const links = new Links(() => 'https://h.example');
    const next = new URL(links.next(request('/api/v3/x?filter=tag%3Amalware&cursor=old&limit=5&order=asc'), 'new+/=', 5));
    assert.equal(next.pathname, '/api/v3/x');
    assert.deepEqual([...next.searchParams.entries()].sort(), [
      ['cursor', 'new+/='],
      ['filter', 'tag:malware'],
      ['limit', '5'],
      ['order', 'asc'],
    ]);
  });

  it('escapes path separators but keeps base64 padding readable', () => {
    assert.equal(pathSegment('YWJj=='), 'YWJj==');
    assert.equal(pathSegment('a/b c?d#e'), 'a%2Fb%20c%3Fd%23e');
  });
});
