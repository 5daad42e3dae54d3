package io.github.geminiimagebatch.model;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ModelCatalogTest {

    @ParameterizedTest
    @CsvSource({
            "gemini-2.5-flash-image, 1:1, , 1024, 1024",
            "gemini-2.5-flash-image, 2:3, , 832, 1248",
            "gemini-2.5-flash-image, 3:2, , 1248, 832",
            "gemini-2.5-flash-image, 3:4, , 864, 1184",
            "gemini-2.5-flash-image, 4:3, , 1184, 864",
            "gemini-2.5-flash-image, 4:5, , 896, 1152",
            "gemini-2.5-flash-image, 5:4, , 1152, 896",
            "gemini-2.5-flash-image, 9:16, , 768, 1344",
            "gemini-2.5-flash-image, 16:9, , 1344, 768",
            "gemini-2.5-flash-image, 21:9, , 1536, 672",
            "gemini-2.5-flash-image, 16:9, 4K, 1344, 768",
            "gemini-3-pro-image-preview, 1:1, 1K, 1024, 1024",
            "gemini-3-pro-image, 2:3, 1K, 848, 1264",
            "gemini-3-pro-image, 3:2, 1K, 1264, 848",
            "gemini-3-pro-image, 3:4, 1K, 896, 1200",
            "gemini-3-pro-image, 4:3, 1K, 1200, 896",
            "gemini-3-pro-image, 4:5, 1K, 928, 1152",
            "gemini-3-pro-image, 5:4, 1K, 1152, 928",
            "gemini-3-pro-image, 9:16, 1K, 768, 1376",
            "gemini-3-pro-image, 16:9, 1K, 1376, 768",
            "gemini-3-pro-image, 21:9, 1K, 1584, 672",
            "gemini-3-pro-image, 16:9, 2K, 2752, 1536",
            "gemini-3-pro-image, 16:9, 4K, 5504, 3072",
            "gemini-3-pro-image, 1:1, , 1024, 1024",
            "gemini-3.1-flash-image, 1:4, 1K, 512, 2048",
            "gemini-3.1-flash-image, 4:1, 1K, 2048, 512",
            "gemini-3.1-flash-image, 1:8, 1K, 384, 3072",
            "gemini-3.1-flash-image, 8:1, 1K, 3072, 384",
            "gemini-3.1-flash-image-preview, 8:1, 2K, 6144, 768",
            "gemini-3.1-flash-image, 1:1, 512, 512, 512",
            "gemini-3.1-flash-image, 16:9, 512, 688, 384",
            "gemini-3.1-flash-image, 21:9, 4K, 6336, 2688",
            "models/gemini-3.1-flash-image, 1:1, 2K, 2048, 2048",
            "google/gemini-2.5-flash-image, 1:1, , 1024, 1024",
    })
    void pixelSizesFollowTheDocumentedTables(String model, String ratio, String size, int width, int height) {
        assertThat(ModelCatalog.pixelSize(model, ratio, size)).contains(new Dimensions(width, height));
    }

    @ParameterizedTest
    @CsvSource({
            "gemini-2.5-flash-image, 1:4, 1K",
            "gemini-3-pro-image, 1:8, 1K",
            "gemini-3-pro-image, 1:1, 512",
            "gemini-3-pro-image, 1:1, 1k",
            "gemini-3.1-flash-image, 7:3, 1K",
            "gemini-2.0-flash, 1:1, 1K",
    })
    void unsupportedCombinationsHaveNoSize(String model, String ratio, String size) {
        assertThat(ModelCatalog.pixelSize(model, ratio, size)).isEqualTo(Optional.empty());
    }

    @ParameterizedTest
    @CsvSource({
            "gemini-2.5-flash-image, , 1290",
            "gemini-2.5-flash-image, 4K, 1290",
            "gemini-3-pro-image, 1K, 1120",
            "gemini-3-pro-image-preview, 2K, 1120",
            "gemini-3-pro-image, 4K, 2000",
            "gemini-3.1-flash-image, 512, 747",
            "gemini-3.1-flash-image, 1K, 1120",
            "gemini-3.1-flash-image-preview, 2K, 1680",
            "gemini-3.1-flash-image, 4K, 2520",
    })
    void imageTokensFollowTheDocumentedTable(String model, String size, int tokens) {
        assertThat(ModelCatalog.imageTokens(model, size)).isEqualTo(tokens);
    }

    @Test
    void imageTokensRefuseUnknownModelsAndSizes() {
        assertThatThrownBy(() -> ModelCatalog.imageTokens("gemini-9", "1K")).hasMessageContaining("Unknown image model 'gemini-9'");
        assertThatThrownBy(() -> ModelCatalog.imageTokens("gemini-3-pro-image", "512")).hasMessageContaining("Sizes it offers: 1K, 2K, 4K");
    }

    @Test
    void describesTheModels() {
        assertThat(ModelCatalog.knownModels()).containsExactly("gemini-2.5-flash-image", "gemini-3-pro-image-preview",
                "gemini-3-pro-image", "gemini-3.1-flash-image-preview", "gemini-3.1-flash-image");
        assertThat(ModelCatalog.supportsImageSize("gemini-2.5-flash-image")).isFalse();
        assertThat(ModelCatalog.supportsImageSize("gemini-3-pro-image")).isTrue();
        assertThat(ModelCatalog.supportsImageSize("unknown")).isFalse();
        assertThat(ModelCatalog.aspectRatios("gemini-2.5-flash-image")).containsExactly(
                "1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9");
        assertThat(ModelCatalog.aspectRatios("gemini-3.1-flash-image")).hasSize(14).contains("1:4", "4:1", "1:8", "8:1");
        assertThat(ModelCatalog.imageSizes("gemini-3.1-flash-image")).containsExactly("512", "1K", "2K", "4K");
    }

    @Test
    void normaliseStripsResourcePrefixesAndVariantsButKeepsPreview() {
        assertThat(ModelCatalog.normalise("models/gemini-3-pro-image-preview")).isEqualTo("gemini-3-pro-image-preview");
        assertThat(ModelCatalog.normalise("google/gemini-2.5-flash-image")).isEqualTo("gemini-2.5-flash-image");
        assertThat(ModelCatalog.normalise("publishers/google/models/gemini-3.1-flash-image")).isEqualTo("gemini-3.1-flash-image");
        assertThat(ModelCatalog.normalise(" Google/Gemini-2.5-Flash-Image:free ")).isEqualTo("gemini-2.5-flash-image");
        assertThat(ModelCatalog.normalise(null)).isEmpty();
    }

    @ParameterizedTest
    @CsvSource({
            "gemini-2.5-flash-image, , 0.039",
            "gemini-2.5-flash-image, 4K, 0.039",
            "google/gemini-2.5-flash-image-preview:free, 1K, 0.039",
            "gemini-3-pro-image, 1K, 0.134",
            "gemini-3-pro-image-preview, 2K, 0.134",
            "gemini-3-pro-image, 4K, 0.24",
            "gemini-3.1-flash-image, 512, 0.045",
            "gemini-3.1-flash-image, , 0.067",
            "gemini-3.1-flash-image-preview, 2K, 0.101",
            "Gemini-3.1-Flash-Image, 4K, 0.151",
            "gemini-9-image, 1K, 0.0",
            ", 1K, 0.0",
    })
    void listPricesFollowTheModelFamily(String model, String size, double usd) {
        assertThat(ModelCatalog.listPrice(model, size)).isEqualTo(usd);
    }

    @ParameterizedTest
    @CsvSource({
            "gemini-2.5-flash-image, false",
            "google/gemini-2.5-flash-image, false",
            "gemini-2.5-flash-image-preview, false",
            "gemini-3-pro-image-preview, true",
            "gemini-3.1-flash-image, true",
            "my-gateway-model, true",
    })
    void onlyTwoPointFiveFlashImageRequestsGoWithoutAnImageSize(String model, boolean takes) {
        assertThat(ModelCatalog.takesImageSize(model)).isEqualTo(takes);
    }
}
