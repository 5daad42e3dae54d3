package io.github.geminiimagebatch.app;

import io.github.geminiimagebatch.component.GeminiImageComponent;
import io.github.geminiimagebatch.component.GeminiImageEngine;
import io.github.geminiimagebatch.config.ProviderSettings;
import io.github.geminiimagebatch.config.RunConfig;
import io.github.geminiimagebatch.config.Settings;
import io.github.geminiimagebatch.pipeline.ProviderCalls;
import io.github.geminiimagebatch.pipeline.RunState;
import io.github.geminiimagebatch.provider.Budget;
import io.github.geminiimagebatch.provider.ProviderGateway;
import io.github.geminiimagebatch.provider.ProviderRuntime;
import io.github.geminiimagebatch.service.PendingRetries;
import io.github.geminiimagebatch.service.RetrySchedule;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The composition root of the {@code gemini-image} component inside someone else's CamelContext:
 * reads the {@code imagegen.*} settings through the context's property placeholders (the estate's
 * application.properties, then the environment as for the bundle), makes one provider gateway, and
 * adds the provider call routes shipped in the jar. Time comes from a {@link Clock} bean when the
 * registry holds one, else from the system clock.
 */
public final class EstateWiring implements GeminiImageComponent.EngineFactory {

    /** The provider call route and the templates of the built-in provider types, as shipped in the jar. */
    static final List<String> PROVIDER_ROUTES = List.of("classpath:routes/provider-call.camel.yaml",
            "classpath:routes/provider-gemini-api.camel.yaml", "classpath:routes/provider-openrouter.camel.yaml",
            "classpath:routes/provider-vertex-ai.camel.yaml");

    @Override
    public GeminiImageEngine create(CamelContext context) throws Exception {
        Settings settings = Settings.load(imagegenProperties(context), System.getenv(), null, null);
        BatchApplication.registerSecrets(settings);
        RunConfig config = RunConfig.from(settings);
        Set<Clock> clocks = context.getRegistry().findByType(Clock.class);
        Clock clock = clocks.size() == 1 ? clocks.iterator().next() : Clock.systemUTC();
        List<ProviderRuntime> providers = new ArrayList<>();
        RetrySchedule probes = PendingRetries.schedule(settings);
        for (ProviderSettings p : config.providers()) {
            ProviderRuntime provider = new ProviderRuntime(p, config.resetZone(), clock);
            // an estate runs for long: a provider that refused the credentials is tried again now and then
            provider.probeRefusedCredentials(probes::delayAfter);
            providers.add(provider);
        }
        RunState run = new RunState(providers, clock);
        ProviderGateway gateway = new ProviderGateway(providers,
                new Budget(config.budgetMaxUsd(), config.budgetMaxUsdPerDay(), config.resetZone(), clock), clock);
        Path answers = Files.createTempDirectory("gemini-image-");
        context.getRegistry().bind("providerCalls", new ProviderCalls(gateway, answers));
        List<Resource> routes = new ArrayList<>();
        for (String location : PROVIDER_ROUTES) {
            routes.add(PluginHelper.getResourceLoader(context).resolveResource(location));
        }
        PluginHelper.getRoutesLoader(context).loadRoutes(routes);
        ProviderRoutes.add(context, config, run);
        return new GeminiImageEngine(gateway, run, config.maxAttempts(), true, new GeminiImageEngine.Defaults(
                config.defaultModel(), config.defaultAspectRatio(), config.defaultImageSize()), clock);
    }

    /** Every imagegen.* key the context's property placeholders know, resolved. */
    private static Map<String, String> imagegenProperties(CamelContext context) {
        PropertiesComponent properties = context.getPropertiesComponent();
        Map<String, String> values = new LinkedHashMap<>();
        for (String key : properties.loadProperties(k -> k.startsWith("imagegen.")).stringPropertyNames()) {
            properties.resolveProperty(key).ifPresent(v -> values.put(key, v));
        }
        return values;
    }
}
