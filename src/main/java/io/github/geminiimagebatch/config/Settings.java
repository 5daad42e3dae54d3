package io.github.geminiimagebatch.config;

import io.github.geminiimagebatch.time.Durations;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The merged configuration of one run. Precedence, highest first: command-line flags, environment,
 * the {@code --config} file, {@code config/application.properties}, built-in defaults.
 */
public final class Settings {

    private final Map<String, String> values;

    private Settings(Map<String, String> values) {
        this.values = Collections.unmodifiableMap(new TreeMap<>(values));
    }

    public static Settings of(Map<String, String> values) {
        Map<String, String> merged = new LinkedHashMap<>(Defaults.VALUES);
        merged.putAll(values);
        return new Settings(merged);
    }

    /**
     * Builds the effective settings.
     *
     * @param flags          values set by command-line flags (already as property names)
     * @param environment    the process environment
     * @param configFile     the {@code --config} file, or null
     * @param projectConfig  {@code config/application.properties}, or null when absent
     */
    public static Settings load(Map<String, String> flags, Map<String, String> environment, Path configFile,
                                Path projectConfig) throws ConfigException {
        Map<String, String> merged = new LinkedHashMap<>(Defaults.VALUES);
        if (projectConfig != null && Files.isRegularFile(projectConfig)) {
            merged.putAll(known(readProperties(projectConfig), projectConfig.toString()));
        }
        if (configFile != null) {
            if (!Files.isRegularFile(configFile)) {
                throw new ConfigException("The configuration file " + configFile
                        + " given with --config does not exist or is not a file. Check the path.");
            }
            merged.putAll(known(readProperties(configFile), configFile.toString()));
        }
        merged.putAll(fromEnvironment(environment, merged));
        merged.putAll(known(flags, "the command line"));
        return new Settings(merged);
    }

    /** The settings of one source, refused when one of their imagegen.* keys is not a known setting. */
    private static Map<String, String> known(Map<String, String> settings, String source) throws ConfigException {
        for (String key : settings.keySet()) {
            Optional<String> problem = KnownSettings.problem(key);
            if (problem.isPresent()) {
                throw new ConfigException(problem.get() + " (set in " + source + ")");
            }
        }
        return settings;
    }

    static Map<String, String> readProperties(Path file) throws ConfigException {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException | IllegalArgumentException e) {
            throw new ConfigException("Cannot read the configuration file " + file + ": " + e.getMessage()
                    + ". It must be a UTF-8 Java properties file.");
        }
        Map<String, String> result = new LinkedHashMap<>();
        for (String name : properties.stringPropertyNames()) {
            result.put(name, properties.getProperty(name).trim());
        }
        return result;
    }

    /**
     * Environment variables: {@code IMAGEGEN_OUTBOX} sets {@code imagegen.outbox},
     * {@code IMAGEGEN_PROVIDER_VERTEX_CREDENTIALSFILE} sets {@code imagegen.provider.vertex.credentialsFile};
     * well-known variables ({@code GEMINI_API_KEY}, {@code OPENROUTER_API_KEY}) fill their providers' keys.
     */
    static Map<String, String> fromEnvironment(Map<String, String> environment, Map<String, String> known) {
        Map<String, String> result = new LinkedHashMap<>();
        String geminiKey = firstNonBlank(environment.get("GEMINI_API_KEY"), environment.get("GOOGLE_API_KEY"));
        if (geminiKey != null) {
            result.put("imagegen.provider.aistudio.apiKey", geminiKey);
        }
        String openRouterKey = environment.get("OPENROUTER_API_KEY");
        if (openRouterKey != null && !openRouterKey.isBlank()) {
            result.put("imagegen.provider.openrouter.apiKey", openRouterKey);
        }
        Map<String, String> knownByEnvName = new LinkedHashMap<>();
        for (String key : known.keySet()) {
            knownByEnvName.put(envName(key), key);
        }
        for (Map.Entry<String, String> e : environment.entrySet()) {
            String name = e.getKey().toUpperCase(Locale.ROOT);
            if (!name.startsWith("IMAGEGEN_")) {
                continue;
            }
            String key = knownByEnvName.getOrDefault(name, propertyNameFor(name));
            result.put(key, e.getValue());
        }
        return result;
    }

    static String envName(String key) {
        return key.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
    }

    private static String propertyNameFor(String envName) {
        String[] parts = envName.toLowerCase(Locale.ROOT).split("_");
        StringBuilder key = new StringBuilder();
        for (int i = 0; i < parts.length; i++) {
            if (i > 0) {
                key.append('.');
            }
            key.append(i == parts.length - 1 ? Defaults.camelLeaf(parts[i]) : parts[i]);
        }
        return key.toString();
    }

    private static String firstNonBlank(String... candidates) {
        for (String c : candidates) {
            if (c != null && !c.isBlank()) {
                return c;
            }
        }
        return null;
    }

    public Map<String, String> asMap() {
        return values;
    }

    public Optional<String> find(String key) {
        String v = values.get(key);
        return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.trim());
    }

    public String get(String key) {
        return find(key).orElse(null);
    }

    public String require(String key) throws ConfigException {
        return find(key).orElseThrow(() -> new ConfigException("The setting " + key
                + " is required. Set it in config/application.properties, with --config FILE or as the environment variable "
                + envName(key) + "."));
    }

    public boolean bool(String key) throws ConfigException {
        String v = find(key).orElse("false").toLowerCase(Locale.ROOT);
        return switch (v) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw new ConfigException("The setting " + key + " is '" + v + "'; write true or false.");
        };
    }

    public int integer(String key, int min) throws ConfigException {
        String v = require(key);
        try {
            int n = Integer.parseInt(v);
            if (n < min) {
                throw new ConfigException("The setting " + key + " is " + n + "; it must be at least " + min + ".");
            }
            return n;
        } catch (NumberFormatException e) {
            throw new ConfigException("The setting " + key + " is '" + v + "'; write a whole number.");
        }
    }

    public long longValue(String key, long min) throws ConfigException {
        String v = require(key);
        try {
            long n = Long.parseLong(v);
            if (n < min) {
                throw new ConfigException("The setting " + key + " is " + n + "; it must be at least " + min + ".");
            }
            return n;
        } catch (NumberFormatException e) {
            throw new ConfigException("The setting " + key + " is '" + v + "'; write a whole number.");
        }
    }

    public Optional<Double> decimal(String key) throws ConfigException {
        Optional<String> v = find(key);
        if (v.isEmpty()) {
            return Optional.empty();
        }
        try {
            double d = Double.parseDouble(v.get());
            if (d < 0 || Double.isNaN(d) || Double.isInfinite(d)) {
                throw new NumberFormatException();
            }
            return Optional.of(d);
        } catch (NumberFormatException e) {
            throw new ConfigException("The setting " + key + " is '" + v.get() + "'; write a number such as 0.067.");
        }
    }

    /** Durations are written as 500ms, 30s, 5m, 1m30s, 2h, 1d, a plain number of seconds or ISO-8601 (see {@link Durations#parse}). */
    public Duration duration(String key) throws ConfigException {
        String v = require(key);
        return parseDuration(v).orElseThrow(() -> new ConfigException("The setting " + key + " is '" + v
                + "'; write a duration such as 500ms, 30s, 5m or 2h."));
    }

    /** A duration as every setting reads it: {@link Durations#parse}. */
    public static Optional<Duration> parseDuration(String text) {
        return Durations.parse(text);
    }

    /** The values with every secret replaced, for {@code --debug} dumps. */
    public Map<String, String> describe() {
        Map<String, String> safe = new TreeMap<>();
        values.forEach((k, v) -> safe.put(k, Defaults.isSecretKey(k) && v != null && !v.isBlank() ? "***" : v));
        return safe;
    }

    public Settings with(String key, String value) {
        Map<String, String> copy = new LinkedHashMap<>(values);
        copy.put(key, value);
        return new Settings(copy);
    }
}
