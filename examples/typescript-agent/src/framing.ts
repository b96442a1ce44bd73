import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Resolver, Type } from 'avsc';

/**
 * The `embedded` framing (FRAMING.md): Avro single-object encoding, `C3 01`, the writer schema's CRC-64-AVRO
 * fingerprint (8 bytes, little-endian), then the Avro body. Every released writer schema is known by its
 * fingerprint, so records written with an older version are read through Avro schema resolution; records are
 * written with the newest released version of their type.
 */
export class SchemaBook {
  private readonly writers = new Map<string, Type>();
  private readonly newest = new Map<string, { type: Type; header: Buffer; schema: object }>();
  private readonly resolvers = new Map<string, Resolver>();

  /** Reads `released/index.txt` (release order) and the schemas it lists, from `dir`. */
  static load(dir: string): SchemaBook {
    const book = new SchemaBook();
    const index = readFileSync(join(dir, 'index.txt'), 'utf8').split('\n').map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    for (const file of index) {
      // wrapUnions: a union value is {branchName: value} or null, the same in every type, so a decoded session
      // is copied into a reply as it is.
      const schema = JSON.parse(readFileSync(join(dir, file), 'utf8'));
      const type = Type.forSchema(schema, { wrapUnions: true });
      const header = Buffer.concat([Buffer.from([0xc3, 0x01]), fingerprint(type)]);
      book.writers.set(header.subarray(2).toString('hex'), type);
      book.newest.set(type.name!, { type, header, schema });
    }
    return book;
  }

  encode(typeName: string, value: unknown): Buffer {
    const { type, header } = this.current(typeName);
    return Buffer.concat([header, type.toBuffer(value)]);
  }

  /** Throws for a value that is not single-object Avro of a released `typeName` schema. */
  decode(typeName: string, framed: Buffer): any {
    if (framed.length < 10 || framed[0] !== 0xc3 || framed[1] !== 0x01) {
      throw new Error('not Avro single-object encoding (no C3 01 header)');
    }
    const key = framed.subarray(2, 10).toString('hex');
    const writer = this.writers.get(key);
    if (!writer || writer.name !== typeName) {
      throw new Error(`no released ${typeName} schema has fingerprint ${key}`);
    }
    const reader = this.current(typeName).type;
    const body = framed.subarray(10);
    if (writer === reader) {
      return reader.fromBuffer(body);
    }
    let resolver = this.resolvers.get(key);
    if (!resolver) {
      resolver = reader.createResolver(writer);
      this.resolvers.set(key, resolver);
    }
    return reader.fromBuffer(body, resolver);
  }

  /** The newest released schema of the type, as written in its .avsc file (docs and defaults kept). */
  schema(typeName: string): object {
    return this.current(typeName).schema;
  }

  private current(typeName: string) {
    const current = this.newest.get(typeName);
    if (!current) {
      throw new Error(`no released schema for ${typeName}`);
    }
    return current;
  }
}

const EMPTY = 0xc15d213aa4d7a795n;
const TABLE: bigint[] = Array.from({ length: 256 }, (_, i) => {
  let fp = BigInt(i);
  for (let j = 0; j < 8; j++) {
    fp = (fp >> 1n) ^ (EMPTY & -(fp & 1n));
  }
  return fp;
});

/** CRC-64-AVRO (Rabin) of the schema's Parsing Canonical Form, as 8 little-endian bytes (the Avro specification's). */
export function fingerprint(type: Type): Buffer {
  let fp = EMPTY;
  for (const b of Buffer.from(JSON.stringify(type.schema()), 'utf8')) {
    fp = (fp >> 8n) ^ TABLE[Number((fp ^ BigInt(b)) & 0xffn)];
  }
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64LE(fp);
  return bytes;
}
