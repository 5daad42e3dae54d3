package io.github.geminiimagebatch.pipeline;

import io.github.geminiimagebatch.config.ProviderSettings;
import io.github.geminiimagebatch.config.ProviderType;
import io.github.geminiimagebatch.gemini.DecodedResponse;
import io.github.geminiimagebatch.gemini.ImageRequest;
import io.github.geminiimagebatch.gemini.Outcome;
import io.github.geminiimagebatch.prompt.PromptItem;
import io.github.geminiimagebatch.provider.Budget;
import io.github.geminiimagebatch.provider.Permit;
import io.github.geminiimagebatch.provider.ProviderGateway;
import io.github.geminiimagebatch.provider.ProviderRuntime;
import io.github.geminiimagebatch.provider.Reservation;
import io.github.geminiimagebatch.quota.Limit;
import io.github.geminiimagebatch.simulator.GeminiSimulator;
import io.github.geminiimagebatch.simulator.SimulatorOptions;
import io.github.geminiimagebatch.testing.MutableClock;
import org.apache.camel.Exchange;
import org.apache.camel.builder.TemplatedRouteBuilder;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.DefaultExchange;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The provider template contract of docs/providers.md: a template written from that page alone
 * (src/test/resources/provider/tagged-gemini-api.camel.yaml is its worked example, nothing more),
 * called through the shared provider-call route, gives a decoded image, leaves no header behind, and
 * the quota counts the request from the moment the HTTP call leaves, not from when it was granted.
 */
class ProviderTemplateContractTest extends CamelTestSupport {

    private static GeminiSimulator simulator;

    @TempDir
    Path answers;

    private final MutableClock clock = MutableClock.at("2026-03-10T17:00:00Z");

    @BeforeAll
    static void startSimulator() throws Exception {
        simulator = GeminiSimulator.start(SimulatorOptions.builder().port(0).build());
    }

    @AfterAll
    static void stopSimulator() {
        simulator.close();
    }

    @Test
    void aTemplateWrittenFromTheDocsAloneIsDecodedCleanedUpAndCountedFromWhenItLeaves() throws Exception {
        ProviderRuntime corp = new ProviderRuntime(new ProviderSettings("corp", ProviderType.GATEWAY,
                simulator.baseUri().toString(), "corp-key", "x-goog-api-key", null,
                List.of(Limit.sliding(1, Duration.ofSeconds(10))), List.of(), 4, Map.of(), null, null, "global",
                "tagged-gemini-api", Map.of("tag", "team-42"), false), ZoneId.of("UTC"), clock);
        ProviderGateway gateway = new ProviderGateway(List.of(corp), Budget.unlimited(clock), clock);
        context.getRegistry().bind("providerCalls", new ProviderCalls(gateway, answers));
        List<Resource> routes = List.of(
                PluginHelper.getResourceLoader(context).resolveResource("classpath:routes/provider-call.camel.yaml"),
                PluginHelper.getResourceLoader(context).resolveResource("classpath:provider/tagged-gemini-api.camel.yaml"));
        PluginHelper.getRoutesLoader(context).loadRoutes(routes);
        TemplatedRouteBuilder.builder(context, "tagged-gemini-api").routeId("provider-corp")
                .parameter("provider", "corp").parameter("baseUrl", simulator.baseUri().toString())
                .parameter("tag", "team-42").add();

        ImageRequest request = new ImageRequest("gemini-2.5-flash-image", "a lighthouse", "1:1", "1K", List.of());
        Instant granted = clock.instant();
        Permit permit = ((Reservation.Granted) gateway.reserve(request)).permit();
        WorkItem item = new WorkItem(new BatchRun("contract", null, granted),
                new PromptItem("1", 1, "a lighthouse", "1:1", "1K", request.model(), List.of(), null, null), request, "key");
        item.dispatchTo(permit.provider(), permit.providerType(), permit.wireModel());
        Exchange exchange = new DefaultExchange(context);
        ItemExchange.item(exchange, item);
        ItemExchange.permit(exchange, permit);
        exchange.getMessage().setHeader("X-From-The-Item", "must not reach the provider or come back");

        Duration preparing = Duration.ofSeconds(4);
        clock.advance(preparing);
        template.send(ItemCalls.PROVIDER_CALL, exchange);

        assertThat(exchange.getException()).isNull();
        DecodedResponse answer = exchange.getMessage().getBody(DecodedResponse.class);
        assertThat(answer.outcome()).isEqualTo(Outcome.IMAGE);
        assertThat(answer.width()).isEqualTo(1024);
        assertThat(exchange.getMessage().getHeaders()).as("headers cleared before and after the call").isEmpty();
        // (plus the quota's small safety margin on each window)
        assertThat(corp.quota().snapshot().windows().get(0).nextRelease())
                .as("the 10 s window counts the request from when it left, not from when it was granted")
                .isAfterOrEqualTo(granted.plus(preparing).plusSeconds(10))
                .isBefore(granted.plus(preparing).plusSeconds(11));
        permit.close();
    }
}
