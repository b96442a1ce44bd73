import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { derived } from '../derived';

test('derived ids match the test vector of docs/CONTRACTS.md (Java UUID.nameUUIDFromBytes)', () => {
  assert.equal(derived('0d7c7c6e-3a0f-3b53-9d5e-5a4e0c1f2b10', 'out', 0), '2fa57a2a-b489-34f1-8d65-caaede34427c');
  assert.equal(derived('0d7c7c6e-3a0f-3b53-9d5e-5a4e0c1f2b10', 'out', '0'), '2fa57a2a-b489-34f1-8d65-caaede34427c');
});

test('different parts give different ids', () => {
  assert.notEqual(derived('a', 'out', 0), derived('a', 'out', 1));
  assert.notEqual(derived('a', 'reply', 0), derived('a', 'out', 0));
});
