package io.github.geminiimagebatch.model;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The documented facts about Gemini image models: supported aspect ratios, image sizes, pixel
 * dimensions and image output tokens (see docs/gemini-wire.md). Used by the simulator to render
 * images of the right size and by the client's planner to estimate tokens and cost.
 *
 * <p>Model ids are looked up after {@link #normalise(String)}. A "-preview" id and its GA id are
 * both known and share one family's tables, but they stay distinct ids because Google meters and
 * names them separately.
 */
public final class ModelCatalog {

    /** The 1K tier; also what a model without a size choice (2.5 Flash Image) produces. */
    public static final String SIZE_1K = "1K";

    private static final Map<String, Family> FAMILY_BY_MODEL = new LinkedHashMap<>();

    static {
        FAMILY_BY_MODEL.put("gemini-2.5-flash-image", Family.FLASH_2_5);
        FAMILY_BY_MODEL.put("gemini-3-pro-image-preview", Family.PRO_3);
        FAMILY_BY_MODEL.put("gemini-3-pro-image", Family.PRO_3);
        FAMILY_BY_MODEL.put("gemini-3.1-flash-image-preview", Family.FLASH_3_1);
        FAMILY_BY_MODEL.put("gemini-3.1-flash-image", Family.FLASH_3_1);
    }

    private ModelCatalog() {
    }

    /** Every model id this catalog has tables for, in a stable order. */
    public static Set<String> knownModels() {
        return Collections.unmodifiableSet(new LinkedHashSet<>(FAMILY_BY_MODEL.keySet()));
    }

    public static boolean isKnown(String model) {
        return family(model).isPresent();
    }

    /**
     * Canonical model id: trims, lower-cases and strips the resource prefixes callers put in front
     * ("models/", "publishers/google/models/", OpenRouter's "google/") and OpenRouter's ":free"
     * style variant suffix. "-preview" is kept: it is a different model id on Google's side.
     */
    public static String normalise(String model) {
        if (model == null) {
            return "";
        }
        String id = model.trim().toLowerCase(Locale.ROOT);
        int slash = id.lastIndexOf('/');
        if (slash >= 0) {
            id = id.substring(slash + 1);
        }
        int variant = id.indexOf(':');
        if (variant >= 0) {
            id = id.substring(0, variant);
        }
        return id;
    }

    /** Whether the model takes an imageSize (2.5 Flash Image does not; it always renders its 1K table). */
    public static boolean supportsImageSize(String model) {
        return family(model).map(f -> f.imageSizes.size() > 1).orElse(false);
    }

    /** The imageSize values the model accepts, upper-case K as Google spells them; empty for an unknown model. */
    public static Set<String> imageSizes(String model) {
        return family(model).map(f -> f.imageSizes).orElse(Set.of());
    }

    /** The aspect ratios the model accepts, in Google's documented order; empty for an unknown model. */
    public static Set<String> aspectRatios(String model) {
        return family(model).map(f -> Collections.unmodifiableSet(f.pixelsAt1K.keySet())).orElse(Set.of());
    }

    /**
     * Pixel size of one image. {@code imageSize} null or blank means the default 1K; for a model without a
     * size choice any imageSize is ignored (Google ignores it too). Empty when the model, ratio or size is
     * not supported.
     */
    public static Optional<Dimensions> pixelSize(String model, String aspectRatio, String imageSize) {
        Optional<Family> family = family(model);
        if (family.isEmpty()) {
            return Optional.empty();
        }
        Family f = family.get();
        Dimensions at1K = f.pixelsAt1K.get(aspectRatio == null || aspectRatio.isBlank() ? "1:1" : aspectRatio);
        if (at1K == null) {
            return Optional.empty();
        }
        String size = effectiveSize(f, imageSize);
        if (!f.imageSizes.contains(size)) {
            return Optional.empty();
        }
        return Optional.of(switch (size) {
            case "512" -> new Dimensions(at1K.width() / 2, at1K.height() / 2);
            case "2K" -> at1K.scaled(2);
            case "4K" -> at1K.scaled(4);
            default -> at1K;
        });
    }

    /**
     * Image output tokens billed for one image of this size; imageSize null means 1K.
     *
     * @throws IllegalArgumentException when the model is unknown or does not offer that size
     */
    public static int imageTokens(String model, String imageSize) {
        Family f = family(model).orElseThrow(() -> new IllegalArgumentException(
                "Unknown image model '" + model + "'. Known models: " + String.join(", ", knownModels())));
        Integer tokens = f.tokensBySize.get(effectiveSize(f, imageSize));
        if (tokens == null) {
            throw new IllegalArgumentException("Model " + normalise(model) + " has no image size '" + imageSize
                    + "'. Sizes it offers: " + String.join(", ", f.imageSizes));
        }
        return tokens;
    }

    private static String effectiveSize(Family family, String imageSize) {
        if (family.imageSizes.size() == 1 || imageSize == null || imageSize.isBlank()) {
            return SIZE_1K;
        }
        return imageSize;
    }

    private static Optional<Family> family(String model) {
        return Optional.ofNullable(FAMILY_BY_MODEL.get(normalise(model)));
    }

    /**
     * Whether a request for this model may carry an imageSize: 2.5 Flash Image rejects it, every later image
     * model takes it. An id the catalog does not list is judged by its family's name, and sent as asked otherwise.
     */
    public static boolean takesImageSize(String model) {
        return familyByName(model).map(f -> f != Family.FLASH_2_5).orElse(true);
    }

    /**
     * Published per-image list price in USD (standard tier, late 2025), used when a provider sets no
     * {@code price.<size>}; 0 for a model of no known family. Prices drift: users set the real ones.
     */
    public static double listPrice(String model, String imageSize) {
        return familyByName(model)
                .map(f -> f.listPrices.getOrDefault(imageSize == null ? SIZE_1K : imageSize, f.listPrices.get(SIZE_1K)))
                .orElse(0.0);
    }

    /** The family whose name the id contains, for ids beyond the catalog's (e.g. gemini-2.5-flash-image-preview). */
    private static Optional<Family> familyByName(String model) {
        String id = model == null ? "" : model.toLowerCase(Locale.ROOT);
        for (Family f : Family.values()) {
            if (id.contains(f.nameFragment)) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }

    private enum Family {
        FLASH_2_5("2.5-flash-image",
                ratios(new Object[][] {
                        {"1:1", 1024, 1024}, {"2:3", 832, 1248}, {"3:2", 1248, 832}, {"3:4", 864, 1184},
                        {"4:3", 1184, 864}, {"4:5", 896, 1152}, {"5:4", 1152, 896}, {"9:16", 768, 1344},
                        {"16:9", 1344, 768}, {"21:9", 1536, 672}}),
                tokens(new Object[][] {{"1K", 1290}}),
                Map.of(SIZE_1K, 0.039)),
        PRO_3("3-pro-image",
                ratios(gemini3RatiosAt1K()),
                tokens(new Object[][] {{"1K", 1120}, {"2K", 1120}, {"4K", 2000}}),
                Map.of(SIZE_1K, 0.134, "4K", 0.24)),
        FLASH_3_1("3.1-flash-image",
                ratios(concat(gemini3RatiosAt1K(), new Object[][] {
                        {"1:4", 512, 2048}, {"4:1", 2048, 512}, {"1:8", 384, 3072}, {"8:1", 3072, 384}})),
                tokens(new Object[][] {{"512", 747}, {"1K", 1120}, {"2K", 1680}, {"4K", 2520}}),
                Map.of("512", 0.045, SIZE_1K, 0.067, "2K", 0.101, "4K", 0.151));

        /** Part of every id of the family, also of ids the catalog does not list (gateways, new previews). */
        final String nameFragment;
        final Map<String, Dimensions> pixelsAt1K;
        final Map<String, Integer> tokensBySize;
        final Set<String> imageSizes;
        /** USD per image by imageSize; a size not listed costs the 1K price. */
        final Map<String, Double> listPrices;

        Family(String nameFragment, Map<String, Dimensions> pixelsAt1K, Map<String, Integer> tokensBySize,
               Map<String, Double> listPrices) {
            this.nameFragment = nameFragment;
            this.pixelsAt1K = pixelsAt1K;
            this.tokensBySize = tokensBySize;
            this.imageSizes = Collections.unmodifiableSet(tokensBySize.keySet());
            this.listPrices = listPrices;
        }

        private static Object[][] gemini3RatiosAt1K() {
            return new Object[][] {
                    {"1:1", 1024, 1024}, {"2:3", 848, 1264}, {"3:2", 1264, 848}, {"3:4", 896, 1200},
                    {"4:3", 1200, 896}, {"4:5", 928, 1152}, {"5:4", 1152, 928}, {"9:16", 768, 1376},
                    {"16:9", 1376, 768}, {"21:9", 1584, 672}};
        }

        private static Object[][] concat(Object[][] first, Object[][] second) {
            Object[][] all = new Object[first.length + second.length][];
            System.arraycopy(first, 0, all, 0, first.length);
            System.arraycopy(second, 0, all, first.length, second.length);
            return all;
        }

        private static Map<String, Dimensions> ratios(Object[][] rows) {
            Map<String, Dimensions> byRatio = new LinkedHashMap<>();
            for (Object[] row : rows) {
                byRatio.put((String) row[0], new Dimensions((Integer) row[1], (Integer) row[2]));
            }
            return Collections.unmodifiableMap(byRatio);
        }

        private static Map<String, Integer> tokens(Object[][] rows) {
            Map<String, Integer> bySize = new LinkedHashMap<>();
            for (Object[] row : rows) {
                bySize.put((String) row[0], (Integer) row[1]);
            }
            return Collections.unmodifiableMap(bySize);
        }
    }
}
