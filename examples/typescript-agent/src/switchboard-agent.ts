import { join } from 'node:path';
import { Consumer, EachBatchPayload, Kafka, logLevel, Partitioners, Producer } from 'kafkajs';
import { Codec, EmbeddedCodec, RegistryCodec } from './codec';
import { derived } from './derived';
import { SchemaBook } from './framing';

/**
 * A tiny SDK in TAC TypeScript's callback style for a Switchboard agent: a plain Kafka consumer of tac.agent.v1 that
 * writes replies to tac.outbound.v1, following docs/CONTRACTS.md "The agent protocol (any language)" rule by rule.
 */

const AGENT_TOPIC = 'tac.agent.v1';
const OUTBOUND_TOPIC = 'tac.outbound.v1';
const PAYLOAD = 'io.switchboard.events.agent.';

/** The session as the router wrote it (Avro, unions wrapped: `{string: "…"}` or null). */
export type Session = { conversationId: string; channel: string; [field: string]: unknown };
export type Message = { messageId: string; text: string; lang: string | null; turn: number };
export type Interrupt = { utteranceUntilInterrupt: string; durationUntilInterruptMs: number; turn: number };
export type Ended = { reason: string; handoffData: string | null };

export interface TokenStream {
  /** Voice: sent at once as one token; messaging: kept for end(). False once the reply is cancelled. */
  send(token: string): boolean;
  /** Voice: the final empty token with last=true; messaging: the whole text as one message. */
  end(): boolean;
}

export interface Reply {
  /** Aborted when an interrupt for this conversation is polled: nothing more is sent. */
  readonly signal: AbortSignal;
  readonly cancelled: boolean;
  sendResponse(text: string): boolean;
  stream(): TokenStream;
}

export type MessageHandler = (message: Message, session: Session, reply: Reply) => Promise<void> | void;

export interface AgentOptions {
  brokers: string[];
  groupId: string;
  /** The released schemas (dist/schemas/released after `npm run build`). */
  schemasDir?: string;
  /** `embedded` (default) or `registry` (FRAMING.md), as SWITCHBOARD_SERDE. */
  serde?: string;
  /** Apicurio Registry (SCHEMA_REGISTRY_URL, as the Java services take it), for `registry`. */
  schemaRegistryUrl?: string;
  sessionTimeoutMs?: number;
}

export class SwitchboardAgent {
  private readonly kafka: Kafka;
  private readonly consumer: Consumer;
  private readonly producer: Producer;
  private readonly codec: Codec;
  private readonly lanes = new Map<string, Lane>();
  private readonly offsets = new Offsets();
  private readonly seen = new Copies(100_000);
  private readonly sends = new SendQueue();
  private commitTimer?: NodeJS.Timeout;
  private messageHandler: MessageHandler = () => undefined;
  private interruptHandler: (session: Session, interrupt: Interrupt) => void = () => undefined;
  private endedHandler: (session: Session, ended: Ended) => void = () => undefined;

  constructor(private readonly options: AgentOptions) {
    this.kafka = new Kafka({ clientId: options.groupId, brokers: options.brokers, logLevel: logLevel.WARN });
    // Rule 3: read_uncommitted, a routed event at once.
    this.consumer = this.kafka.consumer({ groupId: options.groupId, readUncommitted: true,
      sessionTimeout: options.sessionTimeoutMs ?? 10_000, heartbeatInterval: 1_000, maxWaitTimeInMs: 100 });
    // Rule 10: acks=all, idempotent (kafkajs keeps one request in flight, so order holds). The partitioner is
    // Java's (murmur2 of the key): a conversation's replies land on the partition number of its other records.
    this.producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner });
    const schemas = SchemaBook.load(options.schemasDir ?? join(__dirname, 'schemas', 'released'));
    const serde = options.serde ?? 'embedded';
    if (serde === 'registry' && !options.schemaRegistryUrl) {
      throw new Error('SCHEMA_REGISTRY_URL is required when SWITCHBOARD_SERDE=registry');
    } else if (serde !== 'embedded' && serde !== 'registry') {
      throw new Error(`SWITCHBOARD_SERDE=${serde}: embedded or registry`);
    }
    this.codec = serde === 'registry' ? new RegistryCodec(options.schemaRegistryUrl!, schemas) : new EmbeddedCodec(schemas);
  }

  onMessageReady(handler: MessageHandler): this {
    this.messageHandler = handler;
    return this;
  }

  onInterrupt(handler: (session: Session, interrupt: Interrupt) => void): this {
    this.interruptHandler = handler;
    return this;
  }

  onConversationEnded(handler: (session: Session, ended: Ended) => void): this {
    this.endedHandler = handler;
    return this;
  }

  async start(): Promise<void> {
    await this.producer.connect();
    await this.consumer.connect();
    this.sends.attach(this.producer);
    // After a rebalance, partitions this copy lost are forgotten: their new owner replays from the last commit.
    this.consumer.on(this.consumer.events.GROUP_JOIN, (e) => this.offsets.keepOnly(e.payload.memberAssignment));
    await this.consumer.subscribe({ topic: AGENT_TOPIC, fromBeginning: true });
    await this.consumer.run({ autoCommit: false, eachBatch: (batch) => this.dispatch(batch) });
    this.commitTimer = setInterval(() => void this.commit(), 100);
  }

  async stop(): Promise<void> {
    clearInterval(this.commitTimer);
    await this.consumer.stop();
    await this.commit();
    await this.consumer.disconnect();
    await this.producer.disconnect();
  }

  /**
   * Hands every polled event to its conversation's lane in offset order without waiting for it (rule 2), so a slow
   * reply never holds back the next poll, and an interrupt polled behind its message cancels it at once (rule 8).
   */
  private async dispatch({ batch }: EachBatchPayload): Promise<void> {
    for (const record of batch.messages) {
      const done = this.offsets.track(batch.partition, Number(record.offset));
      let event: any;
      try {
        event = await this.codec.decodeAgentEvent(record.value!);
      } catch (e) {
        console.warn(`skipping ${AGENT_TOPIC}/${batch.partition}@${record.offset}: ${(e as Error).message}`); // rule 4
        done();
        continue;
      }
      const original = this.seen.first(event.eventId);
      if (original) { // rule 3: a copy; its offset counts as handled once the original is
        void original.then(done);
        continue;
      }
      const finished = new Promise<void>((resolve) => this.lane(event.conversationId).enqueue(
        this.task(event), () => { done(); resolve(); }));
      this.seen.remember(event.eventId, finished);
    }
  }

  private task(event: any): Task {
    const [[branch, payload]] = Object.entries(event.payload) as [[string, any]];
    const session = event.session as Session;
    const conversation = event.conversationId as string;
    switch (branch.slice(PAYLOAD.length)) {
      case 'MessageReady':
        return { message: true, run: (signal) => this.answer(event, payload, signal) };
      case 'AgentInterrupt':
        this.lanes.get(conversation)?.interrupt();
        return { run: async () => this.interruptHandler(session, payload) };
      case 'ConversationEnded':
        return { run: async () => {
          this.endedHandler(session, { reason: payload.reason, handoffData: payload.handoffData?.string ?? null });
          this.lanes.get(conversation)?.endWhenIdle(() => this.lanes.delete(conversation)); // rule 5: free state
        } };
      default: // AgentDtmf, HandoffFailed: this agent has no use for them
        return { run: async () => undefined };
    }
  }

  /** Runs the handler; resolves only once every record it sent is acknowledged by Kafka (rule 10). */
  private async answer(event: any, ready: any, signal: AbortSignal): Promise<void> {
    const outbox = new Outbox(event, ready, signal, (id, payload) => this.sends.send({
      key: event.conversationId, value: this.codec.encodeOutboundEvent(payload),
      headers: { 'switchboard-payload': 'Reply' } }));
    const message: Message = { messageId: ready.messageId, text: ready.text, lang: ready.lang?.string ?? null,
      turn: ready.turn };
    try {
      await this.messageHandler(message, event.session, outbox);
    } catch (e) {
      console.error(`handler failed for conversation ${event.conversationId}: ${(e as Error).message}`);
    }
    await outbox.acked();
  }

  private lane(conversation: string): Lane {
    let lane = this.lanes.get(conversation);
    if (!lane) {
      lane = new Lane();
      this.lanes.set(conversation, lane);
    }
    return lane;
  }

  private async commit(): Promise<void> {
    const ready = this.offsets.committable();
    if (ready.length === 0) {
      return;
    }
    try {
      await this.consumer.commitOffsets(ready.map(({ partition, offset }) =>
        ({ topic: AGENT_TOPIC, partition, offset: String(offset) })));
      ready.forEach((r) => this.offsets.committed(r.partition, r.offset));
    } catch (e) {
      console.warn(`commit failed (retried): ${(e as Error).message}`);
    }
  }
}

/** What a lane runs: a message's handler (skipped if an interrupt is polled before it starts) or a callback. */
type Task = { message?: boolean; run: (signal: AbortSignal) => Promise<void> };

/** One conversation's events, one at a time in offset order; conversations run concurrently (rule 2). */
class Lane {
  private tail = Promise.resolve();
  private readonly queued = new Set<{ task: Task; skip: boolean }>();
  private running?: AbortController;
  private pending = 0;
  private onIdle?: () => void;

  enqueue(task: Task, finished: () => void): void {
    const entry = { task, skip: false };
    this.queued.add(entry);
    this.pending++;
    this.tail = this.tail.then(async () => {
      this.queued.delete(entry);
      if (!entry.skip) {
        this.running = new AbortController();
        await task.run(this.running.signal).catch((e) => console.error(`conversation task failed: ${e}`));
        this.running = undefined;
      }
      finished();
      if (--this.pending === 0 && this.onIdle) {
        this.onIdle();
      }
    });
  }

  /** Rule 8: the running reply stops at once; messages polled before the interrupt and not yet started are skipped. */
  interrupt(): void {
    this.running?.abort();
    this.queued.forEach((e) => { if (e.task.message) e.skip = true; });
  }

  endWhenIdle(free: () => void): void {
    this.onIdle = free;
  }
}

/** The replies to one agent event, with the ids rule 6 derives from it. */
class Outbox implements Reply {
  private next = 0;
  private replies = 0;
  private readonly sent: Promise<void>[] = [];
  private readonly voice: boolean;
  private readonly turn: number;

  constructor(private readonly event: any, ready: any, readonly signal: AbortSignal,
    private readonly produce: (id: string, outbound: unknown) => Promise<void>) {
    this.voice = event.session.channel === 'VOICE';
    this.turn = this.voice ? ready.turn : -1;
  }

  get cancelled(): boolean {
    return this.signal.aborted;
  }

  sendResponse(text: string): boolean {
    return this.emit(this.newReplyId(), 0, text, true);
  }

  stream(): TokenStream {
    const replyId = this.newReplyId();
    let sequence = 0;
    let buffer = '';
    let ended = false;
    return {
      send: (token) => {
        if (ended || this.cancelled || !token) {
          return false;
        }
        if (!this.voice) {
          buffer += token;
          return true;
        }
        return this.emit(replyId, sequence++, token, false);
      },
      end: () => {
        if (ended) {
          return false;
        }
        ended = true;
        return this.emit(replyId, this.voice ? sequence : 0, this.voice ? '' : buffer, true);
      },
    };
  }

  acked(): Promise<unknown> {
    return Promise.all(this.sent);
  }

  private newReplyId(): string {
    return derived(this.event.eventId, 'reply', this.replies++);
  }

  private emit(replyId: string, sequence: number, text: string, last: boolean): boolean {
    if (this.cancelled) {
      return false;
    }
    const eventId = derived(this.event.eventId, 'out', this.next++);
    this.sent.push(this.produce(eventId, {
      eventId, conversationId: this.event.conversationId, occurredAt: Date.now(), traceId: this.event.traceId,
      inReplyTo: { string: this.event.eventId }, turn: this.turn, session: this.event.session,
      payload: { 'io.switchboard.events.Reply': { replyId, sequence, text, last, interruptible: null,
        preemptible: null, lang: null } },
    }));
    return true;
  }
}

/** The value is still being encoded (the registry framing may ask the registry first); the queue keeps call order. */
type OutboundRecord = { key: string; value: Promise<Buffer>; headers: Record<string, string> };

/**
 * Every reply goes through one queue: whatever waits is sent as one batch, one batch at a time, so records leave in
 * the order they were made. A send that fails after kafkajs' retries stops the process: its offset was not committed,
 * so a restart replays it (same ids).
 */
class SendQueue {
  private producer?: Producer;
  private waiting: Array<{ record: OutboundRecord; acked: () => void }> = [];
  private busy = false;

  attach(producer: Producer): void {
    this.producer = producer;
  }

  send(record: OutboundRecord): Promise<void> {
    record.value.catch(() => undefined); // a failed encoding fails its batch in pump(), not the process at once
    return new Promise((acked) => {
      this.waiting.push({ record, acked });
      void this.pump();
    });
  }

  private async pump(): Promise<void> {
    if (this.busy || this.waiting.length === 0) {
      return;
    }
    this.busy = true;
    const batch = this.waiting;
    this.waiting = [];
    try {
      const messages = await Promise.all(batch.map(async ({ record }) => ({ ...record, value: await record.value })));
      await this.producer!.send({ topic: OUTBOUND_TOPIC, acks: -1, messages });
    } catch (e) {
      console.error(`sending replies failed, stopping (a restart replays them): ${(e as Error).message}`);
      process.exit(1);
    }
    batch.forEach((b) => b.acked());
    this.busy = false;
    void this.pump();
  }
}

/** Per partition, the offsets in flight in poll order: commits advance only over a contiguous handled prefix. */
class Offsets {
  private readonly partitions = new Map<number, { inFlight: Array<{ offset: number; done: boolean }>; next?: number;
    committedAt?: number }>();

  track(partition: number, offset: number): () => void {
    let p = this.partitions.get(partition);
    if (!p) {
      p = { inFlight: [] };
      this.partitions.set(partition, p);
    }
    const entry = { offset, done: false };
    p.inFlight.push(entry);
    const tracked = p;
    return () => {
      entry.done = true;
      while (tracked.inFlight.length > 0 && tracked.inFlight[0].done) {
        // Monotonic: after a rebalance kafkajs may fetch again what is still in flight here (tracked as copies).
        tracked.next = Math.max(tracked.next ?? 0, tracked.inFlight.shift()!.offset + 1);
      }
    };
  }

  committable(): Array<{ partition: number; offset: number }> {
    return [...this.partitions].filter(([, p]) => p.next !== undefined && p.next !== p.committedAt)
      .map(([partition, p]) => ({ partition, offset: p.next! }));
  }

  committed(partition: number, offset: number): void {
    const p = this.partitions.get(partition);
    if (p) {
      p.committedAt = offset;
    }
  }

  keepOnly(assignment: Record<string, number[]>): void {
    const mine = new Set(assignment[AGENT_TOPIC] ?? []);
    [...this.partitions.keys()].filter((p) => !mine.has(p)).forEach((p) => this.partitions.delete(p));
  }
}

/** Recently handled event ids, each with the promise of its handling (bounded: the oldest are forgotten). */
class Copies {
  private readonly ids = new Map<string, Promise<void>>();

  constructor(private readonly capacity: number) {
  }

  first(eventId: string): Promise<void> | undefined {
    return this.ids.get(eventId);
  }

  remember(eventId: string, handled: Promise<void>): void {
    this.ids.set(eventId, handled);
    if (this.ids.size > this.capacity) {
      this.ids.delete(this.ids.keys().next().value!);
    }
  }
}
