package io.switchboard.examples;

import io.switchboard.agent.SwitchboardAgent;
import io.switchboard.agent.TokenStream;

/** The smallest complete agent: echoes every message; on a call the echo is streamed word by word. */
public final class EchoAgent {
    private EchoAgent() {
    }

    /** The echo agent, configured from the environment (KAFKA_BOOTSTRAP_SERVERS, SWITCHBOARD_AGENT_*). */
    public static SwitchboardAgent create(SwitchboardAgent.Builder builder) {
        return builder.onMessageReady((message, session, memory, reply) -> {
            TokenStream stream = reply.stream();
            String[] words = ("You said: " + message.text()).split(" ");
            for (int i = 0; i < words.length && !stream.isCancelled(); i++) {
                stream.send(i == 0 ? words[i] : " " + words[i]);
            }
            stream.end();
        }).build();
    }

    public static void main(String[] args) {
        SwitchboardAgent agent = create(SwitchboardAgent.builder().groupId("echo-agent"));
        Runtime.getRuntime().addShutdownHook(new Thread(agent::close, "echo-agent-shutdown"));
        agent.start();
    }
}
