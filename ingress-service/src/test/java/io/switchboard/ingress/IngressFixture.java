package io.switchboard.ingress;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.switchboard.events.VoiceFrame;
import io.switchboard.localtwilio.TwilioWebhooks;
import io.switchboard.testkit.TestKafka;
import io.switchboard.topics.Topic;
import io.vertx.core.Vertx;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/** A running ingress instance on the shared test cluster, with what a test needs around it. */
final class IngressFixture implements AutoCloseable {
    static final String TOKEN = "test-auth-token";

    final Vertx vertx;
    final IngressService service;
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    final TwilioWebhooks twilio;

    IngressFixture(Vertx vertx, int instanceId, Map<String, String> extra) throws Exception {
        this.vertx = vertx;
        Map<String, String> env = new HashMap<>(baseEnv(instanceId));
        env.putAll(extra);
        if (!env.containsKey("KAFKA_BOOTSTRAP_SERVERS")) {
            env = TestKafka.env(env);
        }
        this.service = new IngressService(IngressConfig.fromEnv(env), vertx, meters);
        service.start();
        this.twilio = new TwilioWebhooks(vertx, service.port(), TOKEN);
    }

    static Map<String, String> baseEnv(int instanceId) {
        Map<String, String> env = new HashMap<>();
        env.put("TWILIO_ACCOUNT_SID", TwilioWebhooks.ACCOUNT_SID);
        env.put("TWILIO_AUTH_TOKEN", TOKEN);
        env.put("PORT", "0");
        env.put("INGRESS_INSTANCE_ID", Integer.toString(instanceId));
        env.put("TWILIO_PHONE_NUMBER", TwilioWebhooks.AGENT_NUMBER);
        env.put("TWILIO_WHATSAPP_NUMBER", TwilioWebhooks.agentAddress("WHATSAPP"));
        env.put("TWILIO_RCS_SENDER_ID", TwilioWebhooks.agentAddress("RCS"));
        env.put("SWITCHBOARD_AGENT_IDENTITY", TwilioWebhooks.agentAddress("CHAT"));
        return env;
    }

    int port() {
        return service.port();
    }

    @Override
    public void close() {
        twilio.close();
        service.close();
    }

    /** Writes VoiceFrames to a partition of tac.voice.egress.v1, as the outbound sender does. */
    static final class Egress implements AutoCloseable {
        private final KafkaProducer<String, VoiceFrame> producer = TestKafka.clients().producer("test-egress", VoiceFrame.class);

        void send(int partition, String callSid, long turn, Object frame) throws Exception {
            send(partition, callSid, turn, frame, io.switchboard.ids.EventIds.random());
        }

        void send(int partition, String callSid, long turn, Object frame, String eventId) throws Exception {
            VoiceFrame voiceFrame = VoiceFrame.newBuilder()
                    .setEventId(eventId)
                    .setConversationId(callSid)
                    .setCallSid(callSid)
                    .setOccurredAt(Instant.now())
                    .setTraceId("t")
                    .setTurn(turn)
                    .setFrame(frame)
                    .build();
            producer.send(new ProducerRecord<>(Topic.VOICE_EGRESS.topicName(), partition, callSid, voiceFrame)).get();
        }

        @Override
        public void close() {
            producer.close();
        }
    }
}
