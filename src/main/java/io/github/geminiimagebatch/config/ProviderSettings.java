package io.github.geminiimagebatch.config;

import io.github.geminiimagebatch.model.ModelCatalog;
import io.github.geminiimagebatch.quota.Limit;
import io.github.geminiimagebatch.quota.Limits;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

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
        String location,
        String routeTemplate,
        Map<String, String> templateParameters,
        boolean overflow,
        BatchSettings batch) {

    /** An interactive provider (no Batch API mode). */
    public ProviderSettings(String name, ProviderType type, String baseUrl, String apiKey, String authHeader, String model,
                            List<Limit> requestLimits, List<Limit> imageLimits, int maxConcurrency, Map<String, Double> pricePerImage,
                            Path credentialsFile, String project, String location, String routeTemplate,
                            Map<String, String> templateParameters, boolean overflow) {
        this(name, type, baseUrl, apiKey, authHeader, model, requestLimits, imageLimits, maxConcurrency, pricePerImage,
                credentialsFile, project, location, routeTemplate, templateParameters, overflow, null);
    }

    public static final Set<String> BUILT_IN_NAMES = Set.of("aistudio", "vertex", "openrouter", "gateway", "simulator");
    private static final List<String> SIZES = List.of("512", "1K", "2K", "4K");
    /** Template parameters the application fills in itself; a {@code param.<name>} setting may not replace them. */
    public static final Set<String> RESERVED_TEMPLATE_PARAMETERS = Set.of("provider", "baseUrl", "project", "location", "expressMode");

    public static ProviderSettings from(Settings settings, String name) throws ConfigException {
        return from(settings, name, true);
    }

    /**
     * @param credentialsRequired false for {@code plan}, which sends nothing: a provider without its key or
     *                            credentials still has limits and prices to plan with
     */
    public static ProviderSettings from(Settings settings, String name, boolean credentialsRequired) throws ConfigException {
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
        if (!location.matches("[a-z0-9-]{1,40}")) {
            throw new ConfigException("The setting " + prefix + "location is '" + location + "'; write a Vertex AI location"
                    + " such as global, us-central1 or europe-west4.");
        }
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
        if (credentialsRequired && type == ProviderType.AISTUDIO && apiKey == null) {
            throw new ConfigException("The provider '" + name + "' (AI Studio) has no API key. Set GEMINI_API_KEY in the"
                    + " environment (or " + prefix + "apiKey), or choose another provider with --provider.");
        }
        if (credentialsRequired && type == ProviderType.OPENROUTER && apiKey == null) {
            throw new ConfigException("The provider '" + name + "' (OpenRouter) has no API key. Set OPENROUTER_API_KEY"
                    + " (or " + prefix + "apiKey).");
        }
        String project = settings.get(prefix + "project");
        if (credentialsRequired && type == ProviderType.VERTEX && apiKey == null && project == null && credentials == null) {
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
        BatchSettings batch = BatchSettings.from(settings, prefix, type);
        if (batch != null) {
            // every item waiting in a job holds a place (the interactive limits stay, for plan's comparison)
            maxConcurrency = batch.itemsInFlight();
        }
        String template = settings.find(prefix + "routeTemplate").orElse(batch != null ? "gemini-batch" : type.routeTemplate());
        if (!template.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,80}")) {
            throw new ConfigException("The setting " + prefix + "routeTemplate is '" + template + "'; write the id of a"
                    + " routeTemplate from a routes/*.camel.yaml file, e.g. gemini-api.");
        }
        return new ProviderSettings(name, type, baseUrl, apiKey,
                settings.find(prefix + "authHeader").orElse("x-goog-api-key"),
                settings.get(prefix + "model"), limits, imageLimits, maxConcurrency, Map.copyOf(prices), credentials,
                project, location, template, templateParameters(settings, prefix + "param."), settings.bool(prefix + "overflow"), batch);
    }

    /** {@code imagegen.provider.<name>.param.<parameter>=value}: extra parameters for the provider's route template. */
    private static Map<String, String> templateParameters(Settings settings, String paramPrefix) throws ConfigException {
        Map<String, String> parameters = new TreeMap<>();
        for (Map.Entry<String, String> e : settings.asMap().entrySet()) {
            if (!e.getKey().startsWith(paramPrefix) || e.getValue() == null) {
                continue;
            }
            String parameter = e.getKey().substring(paramPrefix.length());
            if (!parameter.matches("[A-Za-z][A-Za-z0-9_]{0,60}")) {
                throw new ConfigException("The setting " + e.getKey() + " names the template parameter '" + parameter
                        + "'; parameter names are letters, digits and '_', starting with a letter.");
            }
            if (RESERVED_TEMPLATE_PARAMETERS.contains(parameter)) {
                throw new ConfigException("The setting " + e.getKey() + " would replace the template parameter '" + parameter
                        + "', which comes from the provider's own settings; set that setting instead.");
            }
            parameters.put(parameter, e.getValue().trim());
        }
        return Map.copyOf(parameters);
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

    /**
     * The endpoint when {@code baseUrl} is not set: Vertex AI's global endpoint for location
     * {@code global}, else the regional {@code https://<location>-aiplatform.googleapis.com}; the
     * type's public endpoint for AI Studio and OpenRouter; none for gateways and the simulator.
     */
    static String defaultBaseUrl(ProviderType type, String location) {
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

    /**
     * USD per image for this size, from the provider's price table, else the published list price of the model;
     * in Batch API mode half of that.
     */
    public double priceFor(String model, String imageSize) {
        return interactivePriceFor(model, imageSize) * (batchMode() ? BatchSettings.PRICE_FACTOR : 1);
    }

    /** USD per image for this size when sent interactively (the price table is in interactive prices). */
    public double interactivePriceFor(String model, String imageSize) {
        Double configured = pricePerImage.get(imageSize == null ? "1K" : imageSize);
        return configured != null ? configured : ModelCatalog.listPrice(model, imageSize);
    }

    /** {@code mode=batch}: items go through Gemini Batch API jobs. */
    public boolean batchMode() {
        return batch != null;
    }

    public boolean limited() {
        return !requestLimits.isEmpty() || !imageLimits.isEmpty();
    }
}
