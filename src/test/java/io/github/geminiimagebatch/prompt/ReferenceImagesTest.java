package io.github.geminiimagebatch.prompt;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ReferenceImagesTest {

    @Test
    void mimeTypeComesFromTheExtensionInAnyCase() {
        assertThat(ReferenceImages.mimeType(Path.of("a/cat.png"))).contains("image/png");
        assertThat(ReferenceImages.mimeType(Path.of("cat.JPG"))).contains("image/jpeg");
        assertThat(ReferenceImages.mimeType(Path.of("cat.jpeg"))).contains("image/jpeg");
        assertThat(ReferenceImages.mimeType(Path.of("cat.WebP"))).contains("image/webp");
        assertThat(ReferenceImages.mimeType(Path.of("cat.heic"))).contains("image/heic");
        assertThat(ReferenceImages.mimeType(Path.of("cat.heif"))).contains("image/heif");
    }

    @Test
    void otherFilesHaveNoMimeType() {
        assertThat(ReferenceImages.mimeType(Path.of("cat.gif"))).isEmpty();
        assertThat(ReferenceImages.mimeType(Path.of("png"))).isEmpty();
        assertThat(ReferenceImages.mimeType(Path.of("cat.png.txt"))).isEmpty();
        assertThat(ReferenceImages.mimeType(Path.of("/"))).isEmpty();
    }
}
