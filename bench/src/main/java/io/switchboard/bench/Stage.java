package io.switchboard.bench;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Where the stack's CPU goes, by stage of the pipeline. A thread belongs to a stage by its name first — the
 * services name their threads and Kafka clients after themselves (Kafka Streams threads carry the application id,
 * client threads the client id; the defaults of dev are assumed) — else each sample of it by the first frame, from
 * the top, in a stage's package (a Vert.x event loop runs ingress's handlers and the memory API alike; the broker's
 * threads run kafka.* and org.apache.kafka.server / storage / raft / … code).
 */
enum Stage {
    INGRESS("ingress"),
    BROKER("broker"),
    ROUTER("router"),
    MEMORY("memory"),
    AGENT("agent"),
    OUTBOUND("outbound"),
    SIMULATOR("simulator (dev only)"),
    EVENT_LOOP("Vert.x event loops, no Switchboard frame (HTTP, WebSockets)"),
    CONSUMERS("Kafka consumers' background threads (agent, outbound, memory's CI writer: one name for all)"),
    JIT("JVM: JIT compilers"),
    JVM("JVM: GC and VM threads"),
    JFR("JFR (the profiler itself)"),
    OTHER("other");

    /** Thread names, in order of precedence (an agent's producer is "…| switchboard-agent-…-outbound"). */
    private static final List<Rule> THREADS = List.of(
            new Rule("switchboard-router", ROUTER),
            new Rule("switchboard-memory", MEMORY),
            new Rule("switchboard-agent|^agent-", AGENT),
            new Rule("^ingress-|\\| ingress-|^voice-egress-", INGRESS),
            new Rule("^outbound-|\\| outbound-|switchboard-outbound", OUTBOUND),
            new Rule("^simulator|switchboard-simulator", SIMULATOR),
            // KIP-848's consumer does its network work on a thread whose name carries no client id
            new Rule("^consumer_backgr", CONSUMERS),
            // prefixes of at most 15 characters: the kernel's name of a thread the recording does not name
            new Rule("^(C1 Compiler|C2 Compiler|Sweeper)", JIT),
            new Rule("^JFR ", JFR),
            new Rule("^(GC Thread|G1 |VM Thread|VM Periodic|Service Thread|Monitor Deflat|Notification Th|"
                    + "Common-Cleaner|Reference Hand|Finalizer)", JVM));

    /** Packages of the top-most frame that names a stage. */
    private static final List<Rule> FRAMES = List.of(
            new Rule("^io\\.switchboard\\.ingress\\.", INGRESS),
            new Rule("^io\\.switchboard\\.router\\.", ROUTER),
            new Rule("^io\\.switchboard\\.memory\\.", MEMORY),
            new Rule("^io\\.switchboard\\.outbound\\.", OUTBOUND),
            new Rule("^io\\.switchboard\\.(agent|examples)\\.", AGENT),
            new Rule("^io\\.switchboard\\.launcher\\.simulator\\.", SIMULATOR),
            new Rule("^kafka\\.|^org\\.apache\\.kafka\\.(server|storage|raft|controller|coordinator|image|metadata|"
                    + "network|queue|snapshot|security|timeline)\\.", BROKER),
            new Rule("^jdk\\.jfr\\.", JFR));

    /** Vert.x's event loop threads, by a prefix the kernel's 15-character thread name keeps. */
    private static final String EVENT_LOOP_THREAD = "vert.x-eventloo";

    /** Broker threads by name, for one that used CPU without a sample (all of it in system calls). */
    private static final Pattern BROKER_THREAD = Pattern.compile("^(data-plane-kafka|kafka-\\d|kafka-scheduler|"
            + "kafka-log-cleaner|broker-\\d|controller-\\d|quorum-controller|group-coordinator|share-|ExpirationReaper|"
            + "TxnMarkerSender|transaction-log-manager|AddPartitionsToTxn|LogDirFailureHandler|raft-|executor-)");

    private final String label;

    Stage(String label) {
        this.label = label;
    }

    String label() {
        return label;
    }

    /** The stage a thread's name gives all its work, or null when its samples decide. */
    static Stage ofThread(String name) {
        for (Rule rule : THREADS) {
            if (rule.pattern.matcher(name).find()) {
                return rule.stage;
            }
        }
        return null;
    }

    /** The stage of one sample of a thread without a stage of its own: its frames (classes, top first) decide. */
    static Stage ofSample(String thread, List<String> classes) {
        for (String type : classes) {
            for (Rule rule : FRAMES) {
                if (rule.pattern.matcher(type).find()) {
                    return rule.stage;
                }
            }
        }
        return thread.startsWith(EVENT_LOOP_THREAD) ? EVENT_LOOP : OTHER;
    }

    /** The stage of a thread that used CPU but has no samples to decide by. */
    static Stage ofUnsampledThread(String name) {
        Stage stage = ofThread(name);
        if (stage != null) {
            return stage;
        }
        if (BROKER_THREAD.matcher(name).find()) {
            return BROKER;
        }
        return name.startsWith(EVENT_LOOP_THREAD) ? EVENT_LOOP : OTHER;
    }

    private record Rule(Pattern pattern, Stage stage) {
        Rule(String regex, Stage stage) {
            this(Pattern.compile(regex), stage);
        }
    }
}
