package io.switchboard.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.agent.AgentConfig;
import io.switchboard.config.KafkaSettings;
import io.switchboard.ingress.IngressConfig;
import io.switchboard.launcher.operator.OperatorConfig;
import io.switchboard.memory.service.MemoryConfig;
import io.switchboard.outbound.OutboundConfig;
import io.switchboard.router.RouterConfig;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.config.ConfigDef;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * docker-compose.yml cannot run here (no Docker engine), so it is checked against the code: each Switchboard
 * service runs a real launcher sub-command, sets only variables its service declares, and sets every variable
 * its service requires; the cluster has three KRaft brokers, a registry, two ingress instances and two agents;
 * Prometheus scrapes every long-running service's operator listener (on the compose network, never published) with
 * the internal token, and Prometheus and Grafana come provisioned from deploy/, published on loopback only.
 */
class ComposeFileTest {
    private static final Path ROOT = Path.of("..");
    private static final Path COMPOSE = ROOT.resolve("docker-compose.yml");
    private static final Path PROMETHEUS = ROOT.resolve("deploy/prometheus/prometheus.yml");
    private static final Path GRAFANA_DASHBOARDS = ROOT.resolve("deploy/grafana/provisioning/dashboards/switchboard.yml");
    private static final Path GRAFANA_DATASOURCES = ROOT.resolve("deploy/grafana/provisioning/datasources/prometheus.yml");
    private static final String OPERATOR_PORT = "9464";

    /** Sub-commands the compose file may name before they exist; each is reported to the lead. */

    /** What each sub-command reads. The agent's own settings are not declared yet: only the shared ones. */
    private static final Map<String, ConfigDef> DEFINITIONS = Map.of(
            "ingress", IngressConfig.DEFINITION,
            "router", RouterConfig.DEFINITION,
            "outbound", OutboundConfig.DEFINITION,
            "memory", MemoryConfig.DEFINITION,
            "topics", KafkaSettings.DEFINITION,
            "agent", AgentConfig.DEFINITION);

    private static Map<String, Map<String, Object>> services;
    private static Map<String, Object> compose;

    /**
     * OpenTelemetry's own variables, read by its SDK's autoconfiguration (service-runtime's Tracing.fromEnv) rather
     * than declared by a service: the ones the compose file may set.
     */
    private static final Set<String> OTEL_VARIABLES = Set.of("OTEL_TRACES_EXPORTER", "OTEL_EXPORTER_OTLP_ENDPOINT",
            "OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_SERVICE_NAME", "OTEL_TRACES_SAMPLER", "OTEL_TRACES_SAMPLER_ARG",
            "OTEL_RESOURCE_ATTRIBUTES", "OTEL_SDK_DISABLED");

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void parse() throws Exception {
        try (Reader reader = Files.newBufferedReader(COMPOSE)) {
            compose = new Yaml().load(reader);
            services = (Map<String, Map<String, Object>>) compose.get("services");
        }
    }

    @Test
    void everySwitchboardServiceRunsARealSubCommandOfTheLauncher() {
        Set<String> subcommands = Switchboard.commandLine().getSubcommands().keySet();
        Map<String, String> commands = switchboardCommands();

        assertThat(commands).isNotEmpty();
        commands.forEach((service, command) -> assertThat(subcommands.contains(command))
                .as("service %s runs `%s`, not a sub-command of %s", service, command, subcommands).isTrue());
        assertThat(commands.values()).contains("ingress", "router", "outbound", "memory", "agent", "topics");
    }

    @Test
    void everyVariableASwitchboardServiceSetsIsOneItsServiceDeclares() {
        switchboardCommands().forEach((service, command) -> {
            Set<String> declared = new TreeSet<>(DEFINITIONS.get(command).names());
            declared.addAll(OperatorConfig.DEFINITION.names());
            declared.addAll(OTEL_VARIABLES);
            assertThat(environment(service).keySet()).as("variables of %s (%s)", service, command)
                    .isSubsetOf(declared);
        });
    }

    @Test
    void everyRequiredVariableIsSet() {
        switchboardCommands().forEach((service, command) -> {
            List<String> required = DEFINITIONS.get(command).configKeys().values().stream()
                    .filter(key -> !key.hasDefault()).map(key -> key.name).toList();
            assertThat(environment(service)).as("variables of %s (%s)", service, command).containsKeys(
                    required.toArray(String[]::new));
        });
    }

    @Test
    void theClusterHasThreeKraftBrokersARegistryTwoIngressInstancesAndTwoAgentWorkers() {
        List<Map<String, Object>> brokers = services.values().stream()
                .filter(s -> String.valueOf(s.get("image")).startsWith("apache/kafka:")).toList();
        assertThat(brokers).hasSize(3);
        assertThat(brokers).allSatisfy(broker -> assertThat(env(broker))
                .containsEntry("KAFKA_PROCESS_ROLES", "broker,controller")
                .containsEntry("KAFKA_CONTROLLER_QUORUM_VOTERS", "1@kafka-1:9093,2@kafka-2:9093,3@kafka-3:9093"));
        assertThat(brokers.stream().map(b -> env(b).get("KAFKA_NODE_ID")).toList()).containsExactlyInAnyOrder("1", "2", "3");
        assertThat(services.values()).anySatisfy(s -> assertThat(String.valueOf(s.get("image")))
                .startsWith("apicurio/apicurio-registry:"));

        Map<String, String> commands = switchboardCommands();
        List<String> ingressInstances = new ArrayList<>();
        commands.forEach((service, command) -> {
            if (command.equals("ingress")) {
                ingressInstances.add(environment(service).get(IngressConfig.INSTANCE_ID));
            }
        });
        assertThat(ingressInstances).containsExactlyInAnyOrder("0", "1");
        assertThat(commands.values().stream().filter("agent"::equals)).hasSize(2);
        commands.keySet().forEach(service -> assertThat(environment(service))
                .containsEntry(KafkaSettings.SERDE, "registry")
                .containsEntry(KafkaSettings.BOOTSTRAP_SERVERS, "kafka-1:9092,kafka-2:9092,kafka-3:9092")
                .containsKey(KafkaSettings.SCHEMA_REGISTRY_URL));
    }

    @Test
    void everyServiceExportsItsTracesToJaegerWhoseUiIsOnLoopbackOnly() {
        Map<String, Object> jaeger = services.get("jaeger");
        assertThat(String.valueOf(jaeger.get("image"))).startsWith("jaegertracing/all-in-one:");
        assertThat((List<?>) jaeger.get("ports")).isNotEmpty()
                .allSatisfy(port -> assertThat(String.valueOf(port)).startsWith("127.0.0.1:"));
        switchboardCommands().forEach((service, command) -> {
            if (command.equals("topics")) {
                return;
            }
            assertThat(environment(service)).as("variables of %s", service)
                    .containsEntry("OTEL_TRACES_EXPORTER", "${OTEL_TRACES_EXPORTER:-otlp}")
                    .containsEntry("OTEL_EXPORTER_OTLP_ENDPOINT", "http://jaeger:4318")
                    .containsEntry("OTEL_SERVICE_NAME", "switchboard-" + command);
        });
    }

    @Test
    @SuppressWarnings("unchecked")
    void prometheusScrapesEveryLongRunningServiceOnTheComposeNetworkWithTheInternalToken() throws Exception {
        Map<String, Object> prometheus = load(PROMETHEUS);
        List<Map<String, Object>> jobs = (List<Map<String, Object>>) prometheus.get("scrape_configs");
        assertThat(jobs).hasSize(1);
        Map<String, Object> job = jobs.get(0);
        assertThat(job.get("metrics_path")).isEqualTo("/metrics");
        List<String> targets = new ArrayList<>();
        for (Map<String, Object> group : (List<Map<String, Object>>) job.get("static_configs")) {
            targets.addAll((List<String>) group.get("targets"));
            assertThat((Map<String, Object>) group.get("labels")).as("labels of %s", group).containsKey("service");
        }
        List<String> longRunning = switchboardCommands().entrySet().stream()
                .filter(e -> !e.getValue().equals("topics")).map(Map.Entry::getKey).toList();
        assertThat(targets).containsExactlyInAnyOrderElementsOf(
                longRunning.stream().map(service -> service + ":" + OPERATOR_PORT).toList());

        // each listener on the compose network (so the token is required there), none published
        longRunning.forEach(service -> {
            assertThat(environment(service)).as("variables of %s", service)
                    .containsEntry(OperatorConfig.OPERATOR_HOST, "0.0.0.0");
            assertThat(ports(service)).as("ports of %s", service).noneMatch(p -> p.endsWith(":" + OPERATOR_PORT));
        });

        // the token: the compose secret of SWITCHBOARD_INTERNAL_TOKEN, given to Prometheus as a file
        Map<String, Object> authorization = (Map<String, Object>) job.get("authorization");
        assertThat(authorization.get("type")).isEqualTo("Bearer");
        Map<String, Map<String, Object>> secrets = (Map<String, Map<String, Object>>) compose.get("secrets");
        String secret = secrets.entrySet().stream()
                .filter(e -> "SWITCHBOARD_INTERNAL_TOKEN".equals(e.getValue().get("environment")))
                .map(Map.Entry::getKey).findFirst().orElseThrow();
        assertThat(authorization.get("credentials_file")).isEqualTo("/run/secrets/" + secret);
        assertThat((List<String>) services.get("prometheus").get("secrets")).contains(secret);

        for (String rules : (List<String>) prometheus.get("rule_files")) {
            assertThat(PROMETHEUS.resolveSibling(rules)).as("rule file %s", rules).isRegularFile();
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void prometheusAndGrafanaAreProvisionedFromDeployAndEveryPortButTheIngressesIsOnLoopback() throws Exception {
        assertThat(String.valueOf(services.get("prometheus").get("image"))).startsWith("prom/prometheus:v3.");
        assertThat(String.valueOf(services.get("grafana").get("image"))).startsWith("grafana/grafana:12.");
        assertThat(ports("prometheus")).containsExactly("127.0.0.1:9090:9090");
        assertThat(ports("grafana")).containsExactly("127.0.0.1:3000:3000");
        Map<String, String> prometheusMounts = mounts("prometheus");
        assertThat(prometheusMounts).containsEntry("/etc/prometheus", "./deploy/prometheus");
        Map<String, String> grafanaMounts = mounts("grafana");

        // the dashboard provider reads the folder the dashboards are mounted at; the data source is the Prometheus
        Map<String, Object> provider = ((List<Map<String, Object>>) load(GRAFANA_DASHBOARDS).get("providers")).get(0);
        String dashboards = String.valueOf(((Map<String, Object>) provider.get("options")).get("path"));
        assertThat(grafanaMounts).containsEntry(dashboards, "./deploy/grafana/dashboards")
                .containsEntry("/etc/grafana/provisioning", "./deploy/grafana/provisioning");
        Map<String, Object> datasource = ((List<Map<String, Object>>) load(GRAFANA_DATASOURCES).get("datasources")).get(0);
        assertThat(datasource).containsEntry("url", "http://prometheus:9090").containsEntry("uid", "prometheus");
        assertThat(ROOT.resolve("deploy/grafana/dashboards/switchboard.json")).isRegularFile();
        assertThat(Files.readString(ROOT.resolve("deploy/grafana/dashboards/switchboard.json")))
                .contains("\"uid\": \"prometheus\"");

        Set<String> ingress = new TreeSet<>();
        switchboardCommands().forEach((service, command) -> {
            if (command.equals("ingress")) {
                ingress.add(service);
            }
        });
        services.keySet().stream().filter(service -> !ingress.contains(service)).forEach(service ->
                assertThat(ports(service)).as("ports of %s", service).allMatch(p -> p.startsWith("127.0.0.1:")));
    }

    /** The host paths of a service's bind mounts, by where they are mounted (the {@code :ro} dropped). */
    private static Map<String, String> mounts(String service) {
        Map<String, String> mounts = new LinkedHashMap<>();
        for (Object volume : (List<?>) services.get(service).get("volumes")) {
            String[] parts = String.valueOf(volume).split(":");
            if (parts[0].startsWith("./")) {
                assertThat(ROOT.resolve(parts[0])).as("%s mounts %s", service, parts[0]).exists();
                mounts.put(parts[1], parts[0]);
            }
        }
        return mounts;
    }

    private static List<String> ports(String service) {
        Object ports = services.get(service).get("ports");
        return ports == null ? List.of() : ((List<?>) ports).stream().map(String::valueOf).toList();
    }

    private static Map<String, Object> load(Path file) throws Exception {
        try (Reader reader = Files.newBufferedReader(file)) {
            return new Yaml().load(reader);
        }
    }

    /** Service name → sub-command, for the services built from Switchboard's image. */
    private static Map<String, String> switchboardCommands() {
        Map<String, String> commands = new LinkedHashMap<>();
        services.forEach((name, service) -> {
            if ("switchboard:latest".equals(service.get("image"))) {
                Object command = service.get("command");
                assertThat(command).as("command of %s", name).isInstanceOf(List.class);
                commands.put(name, String.valueOf(((List<?>) command).get(0)));
            }
        });
        return commands;
    }

    private static Map<String, String> environment(String service) {
        return env(services.get(service));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> env(Map<String, Object> service) {
        Map<String, String> env = new LinkedHashMap<>();
        Object environment = service.get("environment");
        if (environment instanceof Map<?, ?> map) {
            map.forEach((k, v) -> env.put(String.valueOf(k), String.valueOf(v)));
        }
        return env;
    }
}
