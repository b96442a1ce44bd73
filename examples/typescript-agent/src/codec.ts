import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { SchemaBook } from './framing';

const AGENT_EVENT = 'io.switchboard.events.AgentEvent';
const OUTBOUND_EVENT = 'io.switchboard.events.OutboundEvent';

/** How values are framed on the topics (FRAMING.md), chosen as the Java services choose: SWITCHBOARD_SERDE. */
export interface Codec {
  decodeAgentEvent(value: Buffer): Promise<any>;
  encodeOutboundEvent(event: unknown): Promise<Buffer>;
}

/** `embedded` (the default): Avro single-object encoding, writer schemas known by fingerprint. */
export class EmbeddedCodec implements Codec {
  constructor(private readonly schemas: SchemaBook) {
  }

  async decodeAgentEvent(value: Buffer): Promise<any> {
    return this.schemas.decode(AGENT_EVENT, value);
  }

  async encodeOutboundEvent(event: unknown): Promise<Buffer> {
    return this.schemas.encode(OUTBOUND_EVENT, event);
  }
}

/**
 * `registry`: Confluent framing (00, 4-byte schema id) through Apicurio Registry's Confluent-compatible API. The
 * newest released OutboundEvent schema is registered under `tac.outbound.v1-value` (as the Java serdes do on first
 * write); agent events are read with the writer schema their id names.
 */
export class RegistryCodec implements Codec {
  private readonly registry: SchemaRegistry;
  private outboundId?: Promise<number>;

  /** `url`: SCHEMA_REGISTRY_URL as the Java services take it (Apicurio's core API, or the bare server). */
  constructor(url: string, private readonly schemas: SchemaBook) {
    this.registry = new SchemaRegistry({ host: RegistryCodec.confluentApi(url) },
      { [SchemaType.AVRO]: { wrapUnions: true } });
  }

  static confluentApi(url: string): string {
    const server = url.trim().replace(/\/+$/, '').replace(/\/apis\/.*$/, '');
    return `${server}/apis/ccompat/v7`;
  }

  decodeAgentEvent(value: Buffer): Promise<any> {
    if (value.length < 5 || value[0] !== 0) {
      return Promise.reject(new Error('not Confluent framing (no magic byte 0)'));
    }
    return this.registry.decode(value);
  }

  async encodeOutboundEvent(event: unknown): Promise<Buffer> {
    this.outboundId ??= this.registry.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(this.schemas.schema(OUTBOUND_EVENT)) },
      { subject: 'tac.outbound.v1-value' }).then((r) => r.id);
    return this.registry.encode(await this.outboundId, event);
  }
}
