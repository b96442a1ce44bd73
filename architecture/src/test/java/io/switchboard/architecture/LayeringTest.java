package io.switchboard.architecture;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.library.Architectures.LayeredArchitecture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layering of the modules, as Kafka's {@code import-control.xml} writes down its own: this class is the rule,
 * checked on every module's compiled main classes (test code is free to use anything).
 *
 * <pre>
 * layer          modules                          may use
 * Contract       schemas                          nothing of ours: the wire contract stands alone
 * Runtime        service-runtime                  Contract
 * Clients        twilio-api, memory-client        Contract, Runtime
 * Local Twilio   local-twilio                     Contract
 * Ingress        ingress-service                  Contract, Runtime, Clients
 * Router         channel-router                   Contract, Runtime, Clients
 * Memory         memory-service                   Contract, Runtime, Clients
 * Outbound       outbound-sender                  Contract, Runtime, Clients
 * Agent SDK      agent-sdk                        Contract, Runtime, Clients
 * Examples       examples                         Agent SDK and below
 * Launcher       launcher                         every service, Examples and below; never Dev or Local Twilio
 * Dev            dev, bench                       Launcher, Local Twilio and below
 * Test support   testkit                          anything; used by no main code
 * </pre>
 *
 * So a service never imports another service (they talk through the topics), production code never reaches the
 * dev module's broker and fakes, and no main code imports test support or a test framework.
 */
class LayeringTest {
    /** Layer of every module with main code; a new module must be given one here. */
    private static final Map<String, String> LAYER_OF = new LinkedHashMap<>();
    /** Modules that hold only tests. */
    private static final Set<String> TEST_ONLY = Set.of("reliability", "architecture");

    static {
        LAYER_OF.put("schemas", "Contract");
        LAYER_OF.put("service-runtime", "Runtime");
        LAYER_OF.put("twilio-api", "Clients");
        LAYER_OF.put("memory-client", "Clients");
        LAYER_OF.put("local-twilio", "Local Twilio");
        LAYER_OF.put("ingress-service", "Ingress");
        LAYER_OF.put("channel-router", "Router");
        LAYER_OF.put("memory-service", "Memory");
        LAYER_OF.put("outbound-sender", "Outbound");
        LAYER_OF.put("agent-sdk", "Agent SDK");
        LAYER_OF.put("examples", "Examples");
        LAYER_OF.put("launcher", "Launcher");
        LAYER_OF.put("dev", "Dev");
        LAYER_OF.put("bench", "Dev");
        LAYER_OF.put("testkit", "Test support");
    }

    private static final String[] SERVICES = {"Ingress", "Router", "Memory", "Outbound", "Agent SDK"};

    private static Path root;
    private static List<String> modules;
    private static JavaClasses classes;

    @BeforeAll
    static void importEveryModule() throws IOException {
        root = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize().getParent();
        modules = modulesOf(root.resolve("pom.xml"));
        List<Path> classDirs = new ArrayList<>();
        for (String module : modules) {
            Path dir = root.resolve(module).resolve("target/classes");
            if (LAYER_OF.containsKey(module)) {
                assertThat(dir).as("compiled classes of %s (build it first: mvn -pl architecture -am verify)", module)
                        .isDirectory();
                classDirs.add(dir);
            }
        }
        classes = new ClassFileImporter().importPaths(classDirs);
    }

    @Test
    void everyModuleHasALayer() {
        assertThat(modules).as("modules of the parent pom").isNotEmpty();
        for (String module : modules) {
            assertThat(LAYER_OF.containsKey(module) || TEST_ONLY.contains(module))
                    .as("module %s has no layer in LayeringTest: give it one", module).isTrue();
        }
    }

    @Test
    void modulesUseOnlyTheLayersBelowThem() {
        LayeredArchitecture layers = layeredArchitecture().consideringOnlyDependenciesInLayers();
        for (String layer : Set.copyOf(LAYER_OF.values())) {
            layers = layers.layer(layer).definedBy(inModules(modulesOfLayer(layer)));
        }
        layers = layers
                .whereLayer("Contract").mayNotAccessAnyLayer()
                .whereLayer("Runtime").mayOnlyAccessLayers("Contract")
                .whereLayer("Clients").mayOnlyAccessLayers("Contract", "Runtime")
                .whereLayer("Local Twilio").mayOnlyAccessLayers("Contract")
                .whereLayer("Local Twilio").mayOnlyBeAccessedByLayers("Dev", "Test support")
                .whereLayer("Examples").mayOnlyAccessLayers("Agent SDK", "Contract", "Runtime", "Clients")
                .whereLayer("Launcher").mayOnlyAccessLayers("Ingress", "Router", "Memory", "Outbound", "Agent SDK",
                        "Examples", "Contract", "Runtime", "Clients")
                .whereLayer("Dev").mayNotBeAccessedByAnyLayer()
                .whereLayer("Test support").mayNotBeAccessedByAnyLayer();
        for (String service : SERVICES) {
            layers = layers.whereLayer(service).mayOnlyAccessLayers("Contract", "Runtime", "Clients");
        }
        layers.check(classes);
    }

    @Test
    void noMainCodeUsesATestFramework() {
        noClasses().that(inModules(mainModulesBut("testkit")))
                .should().dependOnClassesThat().resideInAnyPackage("org.junit..", "org.assertj..",
                        "org.awaitility..", "org.testcontainers..", "org.apache.kafka.common.test..",
                        "com.code_intelligence.jazzer..")
                .because("test frameworks belong to tests and testkit; a production jar must not need them")
                .check(classes);
    }

    private static List<String> modulesOfLayer(String layer) {
        return LAYER_OF.entrySet().stream().filter(e -> e.getValue().equals(layer)).map(Map.Entry::getKey).toList();
    }

    private static List<String> mainModulesBut(String excluded) {
        return LAYER_OF.keySet().stream().filter(m -> !m.equals(excluded)).toList();
    }

    /** Classes compiled into one of these modules' target/classes. */
    private static DescribedPredicate<JavaClass> inModules(List<String> names) {
        List<String> prefixes = names.stream()
                .map(m -> root.resolve(m).resolve("target/classes").toUri().toString()).toList();
        return DescribedPredicate.describe("in module " + String.join(", ", names), javaClass -> javaClass.getSource()
                .map(source -> prefixes.stream().anyMatch(source.getUri().toString()::startsWith)).orElse(false));
    }

    private static List<String> modulesOf(Path parentPom) throws IOException {
        Matcher matcher = Pattern.compile("<module>([^<]+)</module>").matcher(Files.readString(parentPom));
        List<String> found = new ArrayList<>();
        while (matcher.find()) {
            found.add(matcher.group(1).trim());
        }
        return found;
    }
}
