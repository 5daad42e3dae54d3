package io.github.geminiimagebatch.provider;

import io.github.geminiimagebatch.simulator.GeminiSimulator;
import io.github.geminiimagebatch.simulator.SimulatorOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** A provider whose calls go through the user's own route template, chosen and parameterised in settings. */
class CustomRouteTemplateEndToEndTest {

    private static final String KEY = "upstream-key-0123456789";

    @TempDir
    Path tmp;

    @Test
    void aProviderUsesTheTemplateNamedInItsSettingsWithItsOwnParameter() throws Exception {
        try (GeminiSimulator sim = GeminiSimulator.start(SimulatorOptions.builder().acceptedKeys(Set.of(KEY)).build());
             GatewayProxy gateway = new GatewayProxy(sim.baseUri(), "X-Batch-Tag", "team-42", KEY)) {
            ProviderRun run = new ProviderRun(tmp).dropPrompts("tagged.txt", 2)
                    .set("imagegen.routes.include", "classpath:provider/tagged-gemini-api.camel.yaml")
                    .provider("tagged", "type", "aistudio")
                    .provider("tagged", "baseUrl", gateway.baseUri().toString())
                    .provider("tagged", "apiKey", "unused-by-the-gateway-01")
                    .provider("tagged", "routeTemplate", "tagged-gemini-api")
                    .provider("tagged", "param.tag", "team-42");

            assertThat(run.once("tagged")).isEqualTo(0);

            assertThat(gateway.paths()).hasSize(2);
            assertThat(run.sidecars("tagged")).hasSize(2).allSatisfy(s -> {
                assertThat(s.path("provider").asText()).isEqualTo("tagged");
                assertThat(s.path("providerType").asText()).isEqualTo("aistudio");
            });
        }
    }

    @Test
    void withoutTheTemplateTheGatewayRefusesTheCalls() throws Exception {
        try (GeminiSimulator sim = GeminiSimulator.start(SimulatorOptions.builder().acceptedKeys(Set.of(KEY)).build());
             GatewayProxy gateway = new GatewayProxy(sim.baseUri(), "X-Batch-Tag", "team-42", KEY)) {
            ProviderRun run = new ProviderRun(tmp).dropPrompts("untagged.txt", 2)
                    .provider("plain", "type", "aistudio")
                    .provider("plain", "baseUrl", gateway.baseUri().toString())
                    .provider("plain", "apiKey", "unused-by-the-gateway-01");

            assertThat(run.once("plain")).isEqualTo(1);

            assertThat(sim.stats().path("requests").asLong()).isZero();
        }
    }

    @Test
    void anUnknownTemplateIdIsAConfigurationErrorNamingTheSetting() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream originalErr = System.err;
        try (GeminiSimulator sim = GeminiSimulator.start(SimulatorOptions.builder().build())) {
            ProviderRun run = new ProviderRun(tmp).dropPrompts("nothing.txt", 1)
                    .provider("typo", "type", "aistudio")
                    .provider("typo", "baseUrl", sim.baseUri().toString())
                    .provider("typo", "apiKey", "some-key-0123456789")
                    .provider("typo", "routeTemplate", "gemini-apl");

            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int exit;
            try {
                exit = run.once("typo");
            } finally {
                System.setErr(originalErr);
            }

            assertThat(exit).isEqualTo(1);
            assertThat(err.toString(StandardCharsets.UTF_8))
                    .contains("route template 'gemini-apl'", "imagegen.provider.typo.routeTemplate", "gemini-api")
                    .doesNotContain("Exception");
            assertThat(sim.stats().path("requests").asLong()).isZero();
            assertThat(run.inbox.resolve("nothing.txt")).exists();
        }
    }
}
