package io.github.geminiimagebatch.config;

import io.github.geminiimagebatch.quota.Limit;
import io.github.geminiimagebatch.quota.Limits;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Everything configured for one named provider: {@code imagegen.provider.<name>.*}. */
public record ProviderSettings(
        String name,
        ProviderType type,
        String baseUrl,
        String apiKey,
        String authHeader,
        String model,
        List<Limit> requestLimits,
        List<Limit> imageLimits,
        int maxConcurrency,
        Map<String, Double> pricePerImage,
        Path credentialsFile,
        String project,
        String location) {

    public static final Set<String> BUILT_IN_NAMES = Set.of("aistudio", "vertex", "openrouter", "gateway", "simulator");
    private static final List<String> SIZES = List.of("512", "1K", "2K", "4K");

    public static ProviderSettings from(Settings settings, String name) throws ConfigException {
        if (!name.matches("[a-z0-9][a-z0-9-]{0,40}")) {
            throw new ConfigException("The provider name '" + name + "' in imagegen.providers is not valid; use lower-case"
                    + " letters, digits and '-' (for example aistudio, vertex-eu, project2).");
        }
        String prefix = "imagegen.provider." + name + ".";
        String typeText = settings.find(prefix + "type").orElse(BUILT_IN_NAMES.contains(name) ? name : null);
        if (typeText == null) {
            throw new ConfigException("The provider '" + name + "' is listed in imagegen.providers but " + prefix
                    + "type is not set; set it to aistudio, vertex, openrouter, gateway or simulator.");
        }
        ProviderType type = ProviderType.parse(typeText, prefix + "type");
        String location = settings.find(prefix + "location").orElse("global");
        String baseUrl = settings.find(prefix + "baseUrl").orElse(defaultBaseUrl(type, location));
        if (baseUrl == null) {
            throw new ConfigException("The provider '" + name + "' (type " + type.id() + ") needs " + prefix
                    + "baseUrl, the address of the Gemini-compatible endpoint, e.g. https://gateway.example.com.");
        }
        baseUrl = stripTrailingSlash(baseUrl);
        if (!baseUrl.startsWith("http://") && !baseUrl.startsWith("https://")) {
            throw new ConfigException("The setting " + prefix + "baseUrl must start with http:// or https://.");
        }
        if (carriesCredentials(baseUrl)) {
            // The URL is not quoted: the part that makes it wrong is most likely a key.
            throw new ConfigException("The setting " + prefix + "baseUrl must be a plain address, without a query"
                    + " string (a key parameter, for example), a fragment or a user name and password. Put the key in " + prefix + "apiKey (better:"
                    + " the environment), from where it is sent in a header and kept out of logs and reports.");
        }
        String apiKey = settings.get(prefix + "apiKey");
        if (type == ProviderType.SIMULATOR && apiKey == null) {
            apiKey = "simulator-key";
        }
        Path credentials = settings.find(prefix + "credentialsFile").map(Path::of).orElse(null);
        if (type == ProviderType.AISTUDIO && apiKey == null) {
            throw new ConfigException("The provider '" + name + "' (AI Studio) has no API key. Set GEMINI_API_KEY in the"
                    + " environment (or " + prefix + "apiKey), or choose another provider with --provider.");
        }
        if (type == ProviderType.OPENROUTER && apiKey == null) {
            throw new ConfigException("The provider '" + name + "' (OpenRouter) has no API key. Set OPENROUTER_API_KEY"
                    + " (or " + prefix + "apiKey).");
        }
        String project = settings.get(prefix + "project");
        if (type == ProviderType.VERTEX && apiKey == null && project == null && credentials == null) {
            throw new ConfigException("The provider '" + name + "' (Vertex AI) needs " + prefix + "project and"
                    + " credentials (" + prefix + "credentialsFile or Application Default Credentials), or an API key"
                    + " for express mode (" + prefix + "apiKey).");
        }
        int maxConcurrency = settings.find(prefix + "maxConcurrency").isPresent()
                ? settings.integer(prefix + "maxConcurrency", 1) : 4;
        Map<String, Double> prices = new LinkedHashMap<>();
        for (String size : SIZES) {
            settings.decimal(prefix + "price." + size).ifPresent(p -> prices.put(size, p));
        }
        List<Limit> limits = parseLimits(settings, prefix + "limits");
        List<Limit> imageLimits = parseLimits(settings, prefix + "imageLimits");
        return new ProviderSettings(name, type, baseUrl, apiKey,
                settings.find(prefix + "authHeader").orElse("x-goog-api-key"),
                settings.get(prefix + "model"), limits, imageLimits, maxConcurrency, Map.copyOf(prices), credentials,
                project, location);
    }

    private static List<Limit> parseLimits(Settings settings, String key) throws ConfigException {
        try {
            return Limits.parse(settings.find(key).orElse(""), key);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
    }

    /** A query, a fragment or user info: every place in a URL where people paste keys, and where they get logged. */
    private static boolean carriesCredentials(String url) {
        String afterScheme = url.substring(url.indexOf("://") + 3);
        int pathStart = afterScheme.indexOf('/');
        String authority = pathStart < 0 ? afterScheme : afterScheme.substring(0, pathStart);
        return url.indexOf('?') >= 0 || url.indexOf('#') >= 0 || authority.indexOf('@') >= 0;
    }

    private static String defaultBaseUrl(ProviderType type, String location) {
        if (type == ProviderType.VERTEX && !"global".equals(location)) {
            return "https://" + location + "-aiplatform.googleapis.com";
        }
        return type.defaultBaseUrl();
    }

    private static String stripTrailingSlash(String url) {
        String u = url.trim();
        while (u.endsWith("/")) {
            u = u.substring(0, u.length() - 1);
        }
        return u;
    }

    /** The model id to send: the provider's own override, else the item's model (OpenRouter ids get google/). */
    public String wireModel(String itemModel) {
        if (model != null) {
            return model;
        }
        if (type == ProviderType.OPENROUTER && !itemModel.contains("/")) {
            return "google/" + itemModel;
        }
        return itemModel;
    }

    /** Vertex without a service account or ADC, but with an API key: express mode. */
    public boolean vertexExpressMode() {
        return type == ProviderType.VERTEX && apiKey != null && credentialsFile == null && project == null;
    }

    /** USD per image for this size, from the provider's price table, else the published list price of the model. */
    public double priceFor(String model, String imageSize) {
        Double configured = pricePerImage.get(imageSize == null ? "1K" : imageSize);
        return configured != null ? configured : ListPrices.perImage(model, imageSize);
    }

    public boolean limited() {
        return !requestLimits.isEmpty() || !imageLimits.isEmpty();
    }
}
