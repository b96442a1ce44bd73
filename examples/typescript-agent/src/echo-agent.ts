import { setTimeout as sleep } from 'node:timers/promises';
import { SwitchboardAgent } from './switchboard-agent';

/**
 * The echo agent, as examples' Java EchoAgent: every message echoed; on a call streamed word by word, on messaging
 * one whole message. ECHO_WORD_DELAY_MS paces the words (0 by default) so an interrupt can be seen stopping a reply.
 */
const env = process.env;
const wordDelayMs = Number(env.ECHO_WORD_DELAY_MS ?? '0');
const agent = new SwitchboardAgent({
  brokers: (env.KAFKA_BOOTSTRAP_SERVERS ?? '127.0.0.1:9092').split(','),
  groupId: env.SWITCHBOARD_AGENT_GROUP_ID ?? 'typescript-echo-agent',
  serde: env.SWITCHBOARD_SERDE,
  schemaRegistryUrl: env.SCHEMA_REGISTRY_URL,
})
  .onMessageReady(async (message, session, reply) => {
    const stream = reply.stream();
    const words = `You said: ${message.text}`.split(' ');
    for (let i = 0; i < words.length; i++) {
      if (i > 0 && wordDelayMs > 0) {
        await sleep(wordDelayMs, undefined, { signal: reply.signal }).catch(() => undefined);
      }
      if (!stream.send(i === 0 ? words[i] : ` ${words[i]}`)) {
        return; // interrupted: no further token, no last=true
      }
    }
    stream.end();
  })
  .onInterrupt((session, interrupt) =>
    console.log(`interrupted in ${session.conversationId} after "${interrupt.utteranceUntilInterrupt}"`))
  .onConversationEnded((session, ended) => console.log(`conversation ${session.conversationId} ended: ${ended.reason}`));

agent.start().then(() => console.log('typescript echo agent started'), (e) => {
  console.error(`the agent did not start: ${e}`);
  process.exit(1);
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void agent.stop().finally(() => process.exit(0)));
}
