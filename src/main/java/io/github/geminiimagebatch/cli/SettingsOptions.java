package io.github.geminiimagebatch.cli;

import io.github.geminiimagebatch.config.ConfigException;
import io.github.geminiimagebatch.config.Settings;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The options that choose folders, providers and settings; shared by the main command and {@code plan}. */
final class SettingsOptions {

    @Option(names = "--inbox", paramLabel = "DIR", description = "Folder watched for prompt files (imagegen.inbox, default inbox).")
    Path inbox;

    @Option(names = "--outbox", paramLabel = "DIR", description = "Folder for images and reports (imagegen.outbox, default outbox).")
    Path outbox;

    @Option(names = "--provider", paramLabel = "NAME[,NAME...]",
            description = "Providers in failover order (imagegen.providers), e.g. aistudio,vertex. Default auto:"
                    + " aistudio when GEMINI_API_KEY is set, else simulator.")
    String providers;

    @Option(names = "--config", paramLabel = "FILE", description = "Extra properties file; overrides config/application.properties.")
    Path configFile;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Set any setting, e.g. --set imagegen.concurrency=8 (repeatable).")
    Map<String, String> overrides = new LinkedHashMap<>();

    Map<String, String> flags() {
        Map<String, String> flags = new LinkedHashMap<>(overrides);
        if (inbox != null) {
            flags.put("imagegen.inbox", inbox.toString());
        }
        if (outbox != null) {
            flags.put("imagegen.outbox", outbox.toString());
        }
        if (providers != null) {
            flags.put("imagegen.providers", providers);
        }
        return flags;
    }

    Settings load(Map<String, String> flags, Path home) throws ConfigException {
        return Settings.load(flags, System.getenv(), configFile,
                home.resolve("config").resolve("application.properties"));
    }
}
