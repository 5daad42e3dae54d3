package io.github.geminiimagebatch.config;

import java.util.Locale;

/**
 * Published per-image list prices (USD, standard tier, late 2025) used when a provider sets no
 * {@code price.<size>}. They drift: set the real ones in config/application.properties.
 */
final class ListPrices {

    private ListPrices() {
    }

    static double perImage(String model, String imageSize) {
        String m = model == null ? "" : model.toLowerCase(Locale.ROOT);
        String size = imageSize == null ? "1K" : imageSize;
        if (m.contains("2.5-flash-image")) {
            return 0.039;
        }
        if (m.contains("3-pro-image")) {
            return "4K".equals(size) ? 0.24 : 0.134;
        }
        if (m.contains("3.1-flash-image")) {
            return switch (size) {
                case "512" -> 0.045;
                case "2K" -> 0.101;
                case "4K" -> 0.151;
                default -> 0.067;
            };
        }
        return 0.0;
    }
}
