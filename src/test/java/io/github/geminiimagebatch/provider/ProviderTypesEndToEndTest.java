package io.github.geminiimagebatch.provider;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.geminiimagebatch.simulator.GeminiSimulator;
import io.github.geminiimagebatch.simulator.SimulatorOptions;
import io.github.geminiimagebatch.testing.ServiceAccounts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each provider type, configured only through settings, run end to end (Camel Main, routes/*.yaml,
 * real HTTP) against the simulator's AI Studio, Vertex AI (with a real JWT-bearer token exchange),
 * Vertex express and OpenRouter endpoints, and against a gateway with its own key header.
 */
class ProviderTypesEndToEndTest {

    private static final String KEY = "studio-key-0123456789";

    @TempDir
    Path tmp;

    @Test
    void aistudioSendsItsKeyInTheHeaderAndTheSidecarsNameTheProvider() throws Exception {
        try (GeminiSimulator sim = GeminiSimulator.start(SimulatorOptions.builder().acceptedKeys(Set.of(KEY)).build());
             GatewayProxy recorder = new GatewayProxy(sim.baseUri(), "x-goog-api-key", KEY, KEY)) {
            ProviderRun run = new ProviderRun(tmp).dropPrompts("studio.txt", 3)
                    .provider("studio", "type", "aistudio")
                    .provider("studio", "baseUrl", recorder.baseUri().toString())
                    .provider("studio", "apiKey", KEY);

            assertThat(run.once("studio")).isEqualTo(0);

            assertThat(recorder.paths()).hasSize(3).allSatisfy(path -> assertThat(path)
                    .as("the key travels in the x-goog-api-key header, never in the URL")
                    .isEqualTo("/v1beta/models/gemini-3.1-flash-image:generateContent"));

            assertThat(run.sidecars("studio")).hasSize(3).allSatisfy(s -> {
                assertThat(s.path("provider").asText()).isEqualTo("studio");
                assertThat(s.path("providerType").asText()).isEqualTo("aistudio");
                assertThat(s.path("wireModel").asText()).isEqualTo("gemini-3.1-flash-image");
            });
            assertThat(sim.stats().at("/requestsByEndpoint/aistudio").asLong()).isEqualTo(3);
        }
    }

    @Test
    void aistudioWithAWrongKeyStopsAtOnceAndLeavesTheWorkPending() throws Exception {
        try (GeminiSimulator sim = GeminiSimulator.start(SimulatorOptions.builder().acceptedKeys(Set.of(KEY)).build());
             LogCapture log = LogCapture.attach()) {
            ProviderRun run = new ProviderRun(tmp).dropPrompts("wrong.txt", 6)
                    .provider("studio", "type", "aistudio")
                    .provider("studio", "baseUrl", sim.baseUri().toString())
                    .provider("studio", "apiKey", "not-the-key-0123456789")
                    .provider("studio", "maxConcurrency", "2");

            assertThat(run.once("studio")).isEqualTo(1);

            assertThat(sim.stats().path("requests").asLong()).isBetween(1L, 2L);
            assertThat(sim.stats().at("/responsesByStatus/400").asLong()).isEqualTo(sim.stats().path("requests").asLong());
            assertThat(run.inbox.resolve("wrong.txt")).exists();
            assertThat(log.all()).contains("Provider studio refused our credentials").doesNotContain("not-the-key-0123456789");
        }
    }

    @Test
    void vertexWithAServiceAccountExchangesAJwtForATokenThatNeverReachesTheLog() throws Exception {
        KeyPair keys = ServiceAccounts.newKeyPair();
        Path serverAccount = ServiceAccounts.write(tmp.resolve("server-sa.json"), keys, "https://oauth2.googleapis.com/token");
        try (GeminiSimulator sim = GeminiSimulator.start(SimulatorOptions.builder().serviceAccountFile(serverAccount).build());
             LogCapture log = LogCapture.attach()) {
            Path account = ServiceAccounts.write(tmp.resolve("sa.json"), keys, sim.baseUri() + "/token");
            ProviderRun run = new ProviderRun(tmp).dropPrompts("vertex.txt", 3)
                    .set("imagegen.aspectRatio", "16:9")
                    .provider("vx", "type", "vertex")
                    .provider("vx", "baseUrl", sim.baseUri().toString())
                    .provider("vx", "credentialsFile", account.toString())
                    .provider("vx", "location", "us-central1");

            assertThat(run.once("vx")).isEqualTo(0);

            assertThat(run.sidecars("vertex")).hasSize(3).allSatisfy(s -> {
                assertThat(s.path("provider").asText()).isEqualTo("vx");
                assertThat(s.path("providerType").asText()).isEqualTo("vertex");
                assertThat(s.path("width").asInt()).isEqualTo(1376);
            });
            JsonNode stats = sim.stats();
            assertThat(stats.at("/requestsByEndpoint/vertex").asLong()).isEqualTo(3);
            assertThat(stats.path("tokensIssued").asLong()).isEqualTo(1);
            assertThat(log.lines()).isNotEmpty();
            assertThat(Pattern.compile("sim-[0-9a-f]{8,}").matcher(log.all()).find()).as("a token in the log").isFalse();
            assertThat(log.all()).doesNotContain("PRIVATE KEY");
        }
    }

    @Test
    void vertexRefusesATokenFromAnotherServiceAccountAndSaysSo() throws Exception {
        Path serverAccount = ServiceAccounts.write(tmp.resolve("server-sa.json"), ServiceAccounts.newKeyPair(),
                "https://oauth2.googleapis.com/token");
        try (GeminiSimulator sim = GeminiSimulator.start(SimulatorOptions.builder().serviceAccountFile(serverAccount).build())) {
            Path stranger = ServiceAccounts.write(tmp.resolve("other-sa.json"), ServiceAccounts.newKeyPair(),
                    sim.baseUri() + "/token");
            ProviderRun run = new ProviderRun(tmp).dropPrompts("denied.txt", 2)
                    .provider("vx", "type", "vertex")
                    .provider("vx", "baseUrl", sim.baseUri().toString())
                    .provider("vx", "credentialsFile", stranger.toString())
                    .provider("vx", "maxConcurrency", "2");

            assertThat(run.once("vx")).isEqualTo(1);

            // The project comes from the file without a token; the first refused grant ends the provider.
            assertThat(sim.stats().at("/requestsByEndpoint/token").asLong()).isBetween(1L, 2L);
            assertThat(sim.stats().at("/requestsByEndpoint/vertex").asLong()).isZero();
            assertThat(run.inbox.resolve("denied.txt")).exists();
        }
    }

    @Test
    void vertexExpressModeSendsTheApiKeyToThePublisherPath() throws Exception {
        try (GeminiSimulator sim = GeminiSimulator.start(SimulatorOptions.builder().acceptedKeys(Set.of(KEY)).build())) {
            ProviderRun run = new ProviderRun(tmp).dropPrompts("express.txt", 2)
                    .provider("vertex", "baseUrl", sim.baseUri().toString())
                    .provider("vertex", "apiKey", KEY);

            assertThat(run.once("vertex")).isEqualTo(0);

            assertThat(run.sidecars("express")).hasSize(2)
                    .allSatisfy(s -> assertThat(s.path("providerType").asText()).isEqualTo("vertex"));
            assertThat(sim.stats().at("/requestsByEndpoint/vertexExpress").asLong()).isEqualTo(2);
        }
    }

    @Test
    void openRouterImagesComeFromDataUrlsUnderGoogleModelIds() throws Exception {
        try (GeminiSimulator sim = GeminiSimulator.start(SimulatorOptions.builder().acceptedKeys(Set.of(KEY)).build())) {
            ProviderRun run = new ProviderRun(tmp).dropPrompts("router.txt", 2)
                    .set("imagegen.aspectRatio", "16:9")
                    .provider("openrouter", "baseUrl", sim.baseUri().toString())
                    .provider("openrouter", "apiKey", KEY);

            assertThat(run.once("openrouter")).isEqualTo(0);

            List<JsonNode> sidecars = run.sidecars("router");
            assertThat(sidecars).hasSize(2).allSatisfy(s -> {
                assertThat(s.path("provider").asText()).isEqualTo("openrouter");
                assertThat(s.path("providerType").asText()).isEqualTo("openrouter");
                assertThat(s.path("wireModel").asText()).isEqualTo("google/gemini-3.1-flash-image");
                assertThat(s.path("model").asText()).isEqualTo("gemini-3.1-flash-image");
            });
            BufferedImage image = ImageIO.read(run.outbox.resolve("router").resolve(
                    run.manifest("router").get(0).path("id").asText() + ".png").toFile());
            assertThat(image.getWidth()).isEqualTo(1376);
            assertThat(sim.stats().at("/requestsByEndpoint/openrouter").asLong()).isEqualTo(2);
        }
    }

    @Test
    void gatewayGetsItsOwnKeyHeaderAndTheOverriddenModelId() throws Exception {
        try (GeminiSimulator sim = GeminiSimulator.start(SimulatorOptions.builder().acceptedKeys(Set.of(KEY)).build());
             GatewayProxy gateway = new GatewayProxy(sim.baseUri(), "X-Gateway-Key", "gw-secret-0123456789", KEY)) {
            ProviderRun run = new ProviderRun(tmp).dropPrompts("gw.txt", 2)
                    .set("imagegen.aspectRatio", "16:9")
                    .provider("corp", "type", "gateway")
                    .provider("corp", "baseUrl", gateway.baseUri() + "/")
                    .provider("corp", "authHeader", "X-Gateway-Key")
                    .provider("corp", "apiKey", "gw-secret-0123456789")
                    .provider("corp", "model", "gemini-2.5-flash-image");

            assertThat(run.once("corp")).isEqualTo(0);

            assertThat(gateway.paths()).hasSize(2)
                    .allSatisfy(p -> assertThat(p).isEqualTo("/v1beta/models/gemini-2.5-flash-image:generateContent"));
            assertThat(run.sidecars("gw")).hasSize(2).allSatisfy(s -> {
                assertThat(s.path("provider").asText()).isEqualTo("corp");
                assertThat(s.path("providerType").asText()).isEqualTo("gateway");
                assertThat(s.path("wireModel").asText()).isEqualTo("gemini-2.5-flash-image");
                assertThat(s.path("width").asInt()).isEqualTo(1344);
            });
        }
    }

    @Test
    void vertexFetchesANewTokenOnceWhenTheServiceStopsAcceptingTheCachedOne() throws Exception {
        KeyPair keys = ServiceAccounts.newKeyPair();
        Path serverAccount = ServiceAccounts.write(tmp.resolve("server-sa.json"), keys, "https://oauth2.googleapis.com/token");
        try (GeminiSimulator before = GeminiSimulator.start(SimulatorOptions.builder().serviceAccountFile(serverAccount).build());
             GeminiSimulator after = GeminiSimulator.start(SimulatorOptions.builder().serviceAccountFile(serverAccount).build());
             SwitchingProxy proxy = new SwitchingProxy(before.baseUri(), after.baseUri(), 1)) {
            Path account = ServiceAccounts.write(tmp.resolve("sa.json"), keys, proxy.baseUri() + "/token");
            ProviderRun run = new ProviderRun(tmp).dropPrompts("rotated.txt", 3)
                    .provider("vertex", "baseUrl", proxy.baseUri().toString())
                    .provider("vertex", "credentialsFile", account.toString())
                    .provider("vertex", "maxConcurrency", "1");

            assertThat(run.once("vertex")).isEqualTo(0);

            assertThat(run.sidecars("rotated")).hasSize(3);
            assertThat(before.stats().path("tokensIssued").asLong()).isEqualTo(1);
            assertThat(after.stats().path("tokensIssued").asLong()).isEqualTo(1);
            assertThat(after.stats().at("/responsesByStatus/401").asLong()).isEqualTo(1);
            assertThat(after.stats().at("/requestsByEndpoint/vertex").asLong()).as("one refused, two images").isEqualTo(3);
        }
    }
}
