package io.github.geminiimagebatch.config;

import io.github.geminiimagebatch.prompt.PromptLimits;

import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** The validated, typed view of {@link Settings} that the pipeline runs on. */
public record RunConfig(
        Settings settings,
        Path inbox,
        Path outbox,
        boolean once,
        List<ProviderSettings> providers,
        String defaultModel,
        String defaultAspectRatio,
        String defaultImageSize,
        int concurrency,
        int maxAttempts,
        ZoneId resetZone,
        Duration connectTimeout,
        Duration responseTimeout,
        Duration shutdownTimeout,
        Duration progressInterval,
        PromptLimits promptLimits,
        boolean fileOutput,
        Double budgetMaxUsd,
        Double budgetMaxUsdPerDay) {

    public static RunConfig from(Settings s) throws ConfigException {
        return from(s, true);
    }

    /** The configuration {@code plan} works out what a run would do with: no credentials needed, nothing is sent. */
    public static RunConfig forPlan(Settings s) throws ConfigException {
        return from(s, false);
    }

    private static RunConfig from(Settings s, boolean credentialsRequired) throws ConfigException {
        List<ProviderSettings> providers = new ArrayList<>();
        for (String name : providerNames(s)) {
            providers.add(ProviderSettings.from(s, name, credentialsRequired));
        }
        ZoneId zone;
        try {
            zone = ZoneId.of(s.require("imagegen.quota.resetZone"));
        } catch (DateTimeException e) {
            throw new ConfigException("The setting imagegen.quota.resetZone is '" + s.get("imagegen.quota.resetZone")
                    + "', which is not a time zone; write a zone id such as America/Los_Angeles or UTC.");
        }
        PromptLimits limits;
        try {
            limits = new PromptLimits(
                    s.longValue("imagegen.limits.maxFileBytes", 1),
                    s.integer("imagegen.limits.maxItemsPerFile", 1),
                    s.integer("imagegen.limits.maxPromptChars", 1),
                    s.integer("imagegen.limits.maxReferenceImages", 0),
                    s.longValue("imagegen.limits.maxReferenceImageBytes", 1));
        } catch (IllegalArgumentException e) {
            // PromptLimits names the limit first ("maxFileBytes must be at most ..."): make that the setting's name.
            throw new ConfigException("The setting imagegen.limits." + e.getMessage() + "; choose a smaller value.");
        }
        return new RunConfig(s,
                Path.of(s.require("imagegen.inbox")),
                Path.of(s.require("imagegen.outbox")),
                s.bool("imagegen.once"),
                List.copyOf(providers),
                s.require("imagegen.model"),
                s.require("imagegen.aspectRatio"),
                s.require("imagegen.imageSize"),
                s.integer("imagegen.concurrency", 1),
                s.integer("imagegen.retry.maxAttempts", 1),
                zone,
                s.duration("imagegen.http.connectTimeout"),
                s.duration("imagegen.http.responseTimeout"),
                s.duration("imagegen.shutdown.timeout"),
                s.duration("imagegen.progress.interval"),
                limits,
                s.bool("imagegen.output.file.enabled"),
                s.decimal("imagegen.budget.maxUsd").orElse(null),
                s.decimal("imagegen.budget.maxUsdPerDay").orElse(null));
    }

    /** {@code auto} means AI Studio when a key is configured, else the built-in simulator. */
    public static List<String> providerNames(Settings s) throws ConfigException {
        String list = s.require("imagegen.providers");
        Set<String> names = new LinkedHashSet<>();
        for (String raw : list.split(",")) {
            String name = raw.trim();
            if (name.isEmpty()) {
                continue;
            }
            if (name.equals("auto")) {
                name = s.find("imagegen.provider.aistudio.apiKey").isPresent() ? "aistudio" : "simulator";
            }
            if (!names.add(name)) {
                throw new ConfigException("The provider '" + name + "' is listed twice in imagegen.providers (" + list
                        + "); list each provider once, in failover order.");
            }
        }
        if (names.isEmpty()) {
            throw new ConfigException("imagegen.providers is empty; name at least one provider, e.g. aistudio.");
        }
        return List.copyOf(names);
    }

    public boolean usesSimulator() {
        return providers.stream().anyMatch(p -> p.type() == ProviderType.SIMULATOR);
    }
}
