package io.switchboard.bench;

import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code java -jar bench.jar [options]}: the load against the no-Kafka floor, then against Switchboard, and the
 * Markdown table. {@code java -jar bench.jar jmh [JMH options]} runs the serde micro-benchmarks instead.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Drives Switchboard's ingress like Twilio (relay calls and signed webhooks), measures the same "
                + "load against a plain Vert.x echo with no Kafka (the floor) in the same run, and prints the "
                + "difference as a Markdown table. The floor and `dev` run as child processes on this jar, so the CPU "
                + "each uses per voice turn or message is its own (read from /proc).",
                "`bench jmh [JMH options]` runs the serde micro-benchmarks (SerdeBenchmark)."})
public final class Bench implements Callable<Integer> {
    @Option(names = "--calls", defaultValue = "500", description = "Concurrent relay calls (default ${DEFAULT-VALUE}).")
    int calls;

    @Option(names = "--interval", defaultValue = "2s", converter = DurationConverter.class,
            description = "Time between two prompts of a call (default ${DEFAULT-VALUE}).")
    Duration interval;

    @Option(names = "--webhooks-per-sec", defaultValue = "3000", description = "Messaging webhooks per second (default ${DEFAULT-VALUE}).")
    int webhooksPerSecond;

    @Option(names = "--conversations", defaultValue = "1000", description = "Messaging conversations the webhooks spread over (default ${DEFAULT-VALUE}).")
    int conversations;

    @Option(names = "--duration", defaultValue = "60s", converter = DurationConverter.class,
            description = "How long the load runs, per target (default ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(names = "--warmup", defaultValue = "10s", converter = DurationConverter.class,
            description = "The first part of the run, checked but not in the latency or CPU figures (default "
                    + "${DEFAULT-VALUE}). dev's JVM compiles its hot code for about two minutes under load; until then "
                    + "a turn costs about twice its steady CPU (the CPU table shows the JIT compilers' share).")
    Duration warmup;

    @Option(names = "--drain", defaultValue = "15s", converter = DurationConverter.class,
            description = "How long to wait for the last replies (default ${DEFAULT-VALUE}).")
    Duration drain;

    @Option(names = "--no-floor", description = "Skip the floor (the no-Kafka echo measured first).")
    boolean noFloor;

    @Option(names = "--floor-only", description = "Only the floor: checks the load generator and this machine.")
    boolean floorOnly;

    @Option(names = "--target", description = "An external ingress (http://host:port) instead of the dev stack the benchmark "
            + "starts; its TWILIO_API_BASE_URL must point at this benchmark's sink (--sink-port). Its CPU is not measured.")
    URI target;

    @Option(names = "--auth-token", defaultValue = BenchRun.AUTH_TOKEN, description = "TWILIO_AUTH_TOKEN of the target.")
    String authToken;

    @Option(names = "--sink-port", defaultValue = "0", description = "Port of the reply sink (Twilio's REST API) (default: any).")
    int sinkPort;

    @Option(names = "--without", split = ",", paramLabel = "SERVICE",
            description = "Leave services out of the dev stack, e.g. --without memory (what it costs the others), "
                    + "--without simulator (dev's simulator page reads every topic).")
    Set<String> without = new LinkedHashSet<>();

    @Option(names = "--env", paramLabel = "NAME=VALUE", description = "Extra environment for the dev stack, e.g. --env SWITCHBOARD_TOPIC_PARTITIONS=4.")
    Map<String, String> env = new LinkedHashMap<>();

    @Option(names = "--jvm-args", paramLabel = "OPTIONS",
            description = "JVM options for the child processes (dev and the floor), e.g. --jvm-args \"-Xmx512m -XX:+UseSerialGC\".")
    String jvmArgs = "";

    @Option(names = "--idle", description = "dev at rest instead of a load: time to ready (banner, first answers), then "
            + "CPU over --duration with no load (after --warmup to settle), RSS and threads.")
    boolean idle;

    @Option(names = "--profile", description = "Run dev with a flight recording (JFR, profile settings) and print its CPU "
            + "in the measured window by stage (ingress, broker, router, memory, agent, outbound, …) and the hottest "
            + "methods; the .jfr file is kept for JDK Mission Control.")
    boolean profile;

    @Option(names = "--sweep", split = ",", paramLabel = "RATE",
            description = "A rate sweep instead of one run: the load at each messaging webhook rate (e.g. 250,500,"
            + "1000,1500), lowest first, on one dev stack, until a rate does not keep up; prints each rate's reply "
            + "latency, counts, backlog and CPU, and the highest rate that keeps up. No floor.")
    List<Integer> sweep;

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("jmh")) {
            org.openjdk.jmh.Main.main(args.length > 1 ? Arrays.copyOfRange(args, 1, args.length)
                    : new String[] {SerdeBenchmark.class.getSimpleName()});
            return;
        }
        int code = new CommandLine(new Bench()).execute(args);
        System.exit(code);
    }

    @Override
    public Integer call() throws Exception {
        if (sweep != null && (idle || profile || floorOnly)) {
            throw new CommandLine.ParameterException(new CommandLine(this),
                    "--sweep runs loads: not with --idle, --profile or --floor-only");
        }
        if (sweep != null && sweep.stream().anyMatch(rate -> rate <= 0)) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--sweep rates must be positive: " + sweep);
        }
        if ((idle || profile) && (target != null || floorOnly)) {
            throw new CommandLine.ParameterException(new CommandLine(this),
                    "--idle and --profile measure the dev stack the benchmark starts: not with --target or --floor-only");
        }
        Load load = new Load(calls, interval, webhooksPerSecond, conversations, duration, warmup, drain);
        List<String> childJvmArgs = jvmArgs.isBlank() ? List.of() : List.of(jvmArgs.trim().split("\\s+"));
        BenchRun.Options options = new BenchRun.Options(load, !noFloor, target, authToken, sinkPort, env, without,
                floorOnly, childJvmArgs, profile, null);
        String report = sweep != null ? RateSweep.markdown(RateSweep.run(options, sweep))
                : idle ? Report.idleMarkdown(BenchRun.idle(options)) : Report.markdown(BenchRun.run(options));
        System.out.println();
        System.out.println(report);
        System.out.flush();
        return 0;
    }

    /** 500ms, 2s, 1m, or ISO-8601 (PT2S). */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            String v = value.trim().toLowerCase();
            if (v.startsWith("pt")) {
                return Duration.parse(value);
            }
            if (v.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
            }
            long n = Long.parseLong(v.substring(0, v.length() - 1));
            return switch (v.charAt(v.length() - 1)) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                default -> throw new CommandLine.TypeConversionException("Not a duration: " + value + " (e.g. 500ms, 2s, 1m)");
            };
        }
    }
}
