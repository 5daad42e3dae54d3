package io.github.geminiimagebatch.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The wire dialect a provider speaks; each has a route template under routes/. */
public enum ProviderType {
    AISTUDIO("https://generativelanguage.googleapis.com"),
    VERTEX("https://aiplatform.googleapis.com"),
    OPENROUTER("https://openrouter.ai"),
    GATEWAY(null),
    SIMULATOR(null);

    private final String defaultBaseUrl;

    ProviderType(String defaultBaseUrl) {
        this.defaultBaseUrl = defaultBaseUrl;
    }

    public String defaultBaseUrl() {
        return defaultBaseUrl;
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Name of the route template in routes/ that calls this kind of provider. */
    public String routeTemplate() {
        return switch (this) {
            case AISTUDIO, GATEWAY, SIMULATOR -> "gemini-api";
            case VERTEX -> "vertex-ai";
            case OPENROUTER -> "openrouter";
        };
    }

    public static ProviderType parse(String value, String settingName) throws ConfigException {
        for (ProviderType t : values()) {
            if (t.id().equalsIgnoreCase(value.trim())) {
                return t;
            }
        }
        throw new ConfigException("The setting " + settingName + " is '" + value + "'; write one of "
                + Arrays.stream(values()).map(ProviderType::id).collect(Collectors.joining(", ")) + ".");
    }
}
