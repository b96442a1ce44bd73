package io.switchboard.dev.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.switchboard.config.KafkaSettings;
import io.switchboard.dev.DevServices;
import io.switchboard.dev.DevStack;
import io.switchboard.launcher.ServiceDefinition;
import io.switchboard.testkit.FreePorts;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The simulator end to end, in headless Chromium: {@code dev}'s stack (embedded Kafka, every service, the fake
 * Twilio API), the page at {@code /} of the operator listener, a customer who texts and then calls. What the page shows went through the
 * real webhooks, relay socket, topics and the fake Twilio API. Screenshots go to {@code target/simulator-screenshots}.
 *
 * <p>Needs Debian's Chromium and its driver ({@code apt-get install -y chromium chromium-driver}); skipped, saying
 * so, only when those binaries are missing.
 */
@Timeout(240)
class SimulatorBrowserTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path SCREENSHOTS = Path.of("target", "simulator-screenshots");
    private static final Duration REPLY_TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path dataDir;

    @Test
    void aCustomerTextsAndCallsFromThePageAndSeesTheAgentRepliesAndThePipeline() throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "Headless Chromium is not installed (" + CHROMIUM + ", " + CHROMEDRIVER
                        + "): apt-get update && apt-get install -y chromium chromium-driver");
        int port = FreePorts.one();
        Map<String, String> env = Map.of(KafkaSettings.TOPIC_PARTITIONS, "1",
                KafkaSettings.VOICE_EGRESS_PARTITIONS, "1", "SWITCHBOARD_OPERATOR_PORT", "0");
        try (DevStack stack = DevStack.start(new DevStack.Settings(dataDir, 0, port), env, withAgent(DevServices.all()))) {
            ChromeDriver browser = browser();
            try {
                // The page is on the operator listener; it plays Twilio towards the public port.
                browser.get(stack.operator().localBaseUrl() + "/");
                await().atMost(Duration.ofSeconds(20)).until(() ->
                        "true".equals(browser.findElement(By.tagName("body")).getDomAttribute("data-connected")));
                assertThat(browser.findElement(By.id("status")).getText()).contains("local fake Twilio API");

                // SMS: a signed webhook in; the agent's reply comes back through the fake Twilio API.
                say(browser, "SMS", "+15550001111", "Where is my parcel?");
                WebElement smsReply = awaitAgentBubble(browser, "Where is my parcel?");
                assertThat(smsReply.getText()).contains("Where is my parcel?");
                awaitEventsOn(browser, "tac.inbound.v1", "tac.agent.v1", "tac.outbound.v1", "tac.delivery.v1");
                assertThat(eventTypes(browser)).contains("MessageReceived", "MessageReady", "Reply");
                // the side panel: the turn's spans across the services, with their durations
                awaitTraceSpans(browser, "POST /webhook", "send tac.inbound.v1", "process tac.inbound.v1",
                        "process tac.agent.v1", "handle message", "process tac.outbound.v1", "POST Twilio message");
                assertThat(browser.findElements(By.cssSelector("#trace li .ms"))).allSatisfy(ms ->
                        assertThat(ms.getText()).matches("\\d+\\.\\d ms"));
                screenshot(browser, "1-sms.png");

                // Voice: the call is placed (TwiML webhook, relay socket, setup); the reply streams back as tokens.
                say(browser, "VOICE", "+15550001111", "I would like to talk about my bill");
                WebElement spoken = awaitAgentBubble(browser, "I would like to talk about my bill");
                assertThat(spoken.getText()).contains("talk about my bill");
                awaitEventsOn(browser, "tac.inbound.v1", "tac.agent.v1", "tac.outbound.v1", "tac.voice.egress.v1");
                assertThat(eventTypes(browser)).contains("CallStarted", "Prompt", "MessageReady", "Reply");
                awaitTraceSpans(browser, "ConversationRelay prompt", "process tac.agent.v1", "send tac.voice.egress.v1",
                        "process tac.voice.egress.v1");
                screenshot(browser, "2-voice.png");

                // Talking over the agent: the relay interrupt reaches the agent as an AgentInterrupt.
                browser.findElement(By.id("interrupt")).click();
                await().atMost(REPLY_TIMEOUT).until(() -> eventTypes(browser).containsAll(
                        List.of("Interrupt", "AgentInterrupt")));

                // Hanging up ends the call: the socket closes and the action callback is answered.
                String call = browser.findElement(By.id("conversation")).getText().split(" ")[2];
                assertThat(call).startsWith("CA");
                browser.findElement(By.id("end")).click();
                await().atMost(Duration.ofSeconds(20)).until(() ->
                        browser.findElement(By.id("conversation")).getText().equals("Ended: " + call));
                await().atMost(REPLY_TIMEOUT).until(() -> eventTypes(browser).contains("CallEnded"));
                screenshot(browser, "3-ended.png");
            } catch (Exception | AssertionError e) {
                screenshot(browser, "failure.png");
                throw e;
            } finally {
                browser.quit();
            }

            // What the test did shows in the metrics, and the stack says it is ready.
            String metrics = get(stack.operator().localBaseUrl() + "/metrics").body();
            assertThat(metrics)
                    .contains("switchboard_ingress_requests_total{route=\"/webhook\",status=\"200\"}")
                    .contains("switchboard_ingress_requests_total{route=\"/twiml\",status=\"200\"}")
                    .contains("switchboard_ingress_relay_sockets_open")
                    .contains("switchboard_ingress_events_produced_total")
                    .contains("switchboard_ingress_request_latency_seconds_bucket{route=\"/webhook\",status=\"200\"")
                    .containsPattern("switchboard_outbound_twilio_calls_total\\{api=\"v1.messages.create\",status=\"201\"} [1-9]")
                    .contains("switchboard_router_events_in_total");
            HttpResponse<String> ready = get(stack.operator().localBaseUrl() + "/readyz");
            assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
        }
    }

    /** The stack of {@code dev}, with the stand-in echo agent unless {@code dev} already runs an agent. */
    private static List<ServiceDefinition> withAgent(List<ServiceDefinition> dev) {
        if (dev.stream().anyMatch(d -> d.command().equals("agent"))) {
            return dev;
        }
        List<ServiceDefinition> services = new ArrayList<>(dev);
        services.add(services.size() - 1, StandInEchoAgent.DEFINITION);
        return services;
    }

    private static ChromeDriver browser() {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1280,860");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER.toString())).usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    private static void say(ChromeDriver browser, String channel, String identity, String text) {
        browser.findElement(By.cssSelector("#channel option[value='" + channel + "']")).click();
        WebElement who = browser.findElement(By.id("identity"));
        who.clear();
        who.sendKeys(identity);
        browser.findElement(By.id("text")).sendKeys(text);
        browser.findElement(By.id("send")).click();
    }

    /** The agent's finished (not streaming) bubble that mentions {@code text}. */
    private static WebElement awaitAgentBubble(ChromeDriver browser, String text) {
        return await().atMost(REPLY_TIMEOUT).until(() -> browser.findElements(By.cssSelector(".msg.agent")).stream()
                .filter(e -> !e.getDomAttribute("class").contains("streaming"))
                .filter(e -> e.getText().contains(text)).findFirst().orElse(null), e -> e != null);
    }

    private static void awaitEventsOn(ChromeDriver browser, String... topics) {
        await().atMost(REPLY_TIMEOUT).untilAsserted(() -> {
            List<String> seen = browser.findElements(By.cssSelector("#events li")).stream()
                    .map(e -> e.getDomAttribute("data-topic")).toList();
            assertThat(seen).contains(topics);
        });
    }

    private static void awaitTraceSpans(ChromeDriver browser, String... names) {
        await().atMost(REPLY_TIMEOUT).untilAsserted(() -> assertThat(browser.findElements(By.cssSelector("#trace li .name"))
                .stream().map(WebElement::getText).toList()).contains(names));
    }

    private static List<String> eventTypes(ChromeDriver browser) {
        return browser.findElements(By.cssSelector("#events li .type")).stream().map(WebElement::getText).toList();
    }

    private static void screenshot(ChromeDriver browser, String name) {
        try {
            Files.createDirectories(SCREENSHOTS);
            Files.write(SCREENSHOTS.resolve(name), browser.getScreenshotAs(OutputType.BYTES));
        } catch (Exception e) {
            System.err.println("Screenshot " + name + " failed: " + e);
        }
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
