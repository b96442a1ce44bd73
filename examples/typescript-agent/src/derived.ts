import { createHash } from 'node:crypto';

/**
 * Switchboard's derived ids (docs/CONTRACTS.md, agent protocol rule 7): a name-based UUID version 3 over the parts
 * joined by U+001F, no namespace, as Java's UUID.nameUUIDFromBytes. A re-run after a crash derives the same ids, so
 * the outbound-sender drops the copies.
 */
export function derived(...parts: Array<string | number>): string {
  const md5 = createHash('md5').update(parts.map(String).join('\u001f'), 'utf8').digest();
  md5[6] = (md5[6] & 0x0f) | 0x30;
  md5[8] = (md5[8] & 0x3f) | 0x80;
  const hex = md5.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
