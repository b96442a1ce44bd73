import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { test } from 'node:test';
import { SchemaBook } from '../framing';

const book = SchemaBook.load(join(__dirname, '..', 'schemas', 'released'));
const session = { conversationId: 'c1', channel: 'SMS', source: 'UNKNOWN', startedAt: 1, profileId: null, callSid: null,
  relaySessionId: null, from: { string: '+15550001' }, to: null, customerParticipantId: null, agentParticipantId: null,
  channelId: null, customParameters: {}, ingressInstance: null };

test('an outbound reply is single-object Avro: C3 01, fingerprint, body; and reads back', () => {
  const event = { eventId: 'e1', conversationId: 'c1', occurredAt: 5, traceId: 't', inReplyTo: { string: 'a1' },
    turn: -1, session, payload: { 'io.switchboard.events.Reply': { replyId: 'r', sequence: 0, text: 'hi', last: true,
      interruptible: null, preemptible: null, lang: null } } };
  const framed = book.encode('io.switchboard.events.OutboundEvent', event);
  assert.deepEqual([...framed.subarray(0, 2)], [0xc3, 0x01]);
  const decoded = book.decode('io.switchboard.events.OutboundEvent', framed);
  assert.deepEqual(JSON.parse(JSON.stringify(decoded)), event);
});

test('a value without the header, or with an unknown fingerprint, is refused', () => {
  assert.throws(() => book.decode('io.switchboard.events.AgentEvent', Buffer.from('{"json": true}')), /C3 01/);
  assert.throws(() => book.decode('io.switchboard.events.AgentEvent', Buffer.from([0xc3, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0])),
    /fingerprint/);
});
