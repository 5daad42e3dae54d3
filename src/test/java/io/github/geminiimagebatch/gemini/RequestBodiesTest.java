package io.github.geminiimagebatch.gemini;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RequestBodiesTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void geminiBodyIsTheDocumentedShape() throws IOException {
        byte[] body = RequestBodies.gemini(new ImageRequest("gemini-3.1-flash-image-preview", "a lighthouse at dusk", "16:9", "2K", List.of()));

        assertThat(new String(body, StandardCharsets.UTF_8)).isEqualTo(
                "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"a lighthouse at dusk\"}]}],"
                        + "\"generationConfig\":{\"responseModalities\":[\"IMAGE\"],"
                        + "\"imageConfig\":{\"aspectRatio\":\"16:9\",\"imageSize\":\"2K\"}}}");
    }

    @Test
    void gemini25FlashImageGetsNoImageSize() throws IOException {
        for (String model : List.of("gemini-2.5-flash-image", "gemini-2.5-flash-image-preview", "publishers/google/models/gemini-2.5-flash-image")) {
            byte[] body = RequestBodies.gemini(new ImageRequest(model, "cat", "1:1", "1K", null));

            assertThat(new String(body, StandardCharsets.UTF_8)).as(model).isEqualTo(
                    "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"cat\"}]}],"
                            + "\"generationConfig\":{\"responseModalities\":[\"IMAGE\"],\"imageConfig\":{\"aspectRatio\":\"1:1\"}}}");
        }
    }

    @Test
    void nullAspectRatioAndSizeAreOmittedAndAnEmptyImageConfigIsDropped() throws IOException {
        assertThat(json(RequestBodies.gemini(new ImageRequest("gemini-3-pro-image-preview", "cat", null, "4K", null))).at("/generationConfig"))
                .isEqualTo(MAPPER.readTree("{\"responseModalities\":[\"IMAGE\"],\"imageConfig\":{\"imageSize\":\"4K\"}}"));
        assertThat(json(RequestBodies.gemini(new ImageRequest("gemini-3-pro-image-preview", "cat", null, null, null))).at("/generationConfig"))
                .isEqualTo(MAPPER.readTree("{\"responseModalities\":[\"IMAGE\"]}"));
        assertThat(json(RequestBodies.gemini(new ImageRequest("gemini-2.5-flash-image", "cat", null, "1K", null))).at("/generationConfig"))
                .isEqualTo(MAPPER.readTree("{\"responseModalities\":[\"IMAGE\"]}"));
    }

    @Test
    void promptTextIsJsonEscaped() throws IOException {
        String prompt = "a \"quoted\" sign\nsecond line \\ backslash, ünïcödé 🌅";

        JsonNode body = json(RequestBodies.gemini(new ImageRequest("gemini-3-pro-image-preview", prompt, null, null, null)));

        assertThat(body.at("/contents/0/parts/0/text").asText()).isEqualTo(prompt);
    }

    @Test
    void referenceImagesFollowThePromptInlineWithTheirSniffedMimeType() throws IOException {
        byte[] png = TestImages.png(10, 10);
        byte[] jpeg = TestImages.jpeg(12, 12);
        Path first = write("first.bin", png);
        Path second = write("second.png", jpeg); // the extension lies; the bytes decide

        byte[] body = RequestBodies.gemini(new ImageRequest("gemini-3-pro-image-preview", "blend these", "1:1", "1K", List.of(first, second)));

        assertThat(new String(body, StandardCharsets.UTF_8)).isEqualTo(
                "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"blend these\"},"
                        + "{\"inlineData\":{\"mimeType\":\"image/png\",\"data\":\"" + b64(png) + "\"}},"
                        + "{\"inlineData\":{\"mimeType\":\"image/jpeg\",\"data\":\"" + b64(jpeg) + "\"}}]}],"
                        + "\"generationConfig\":{\"responseModalities\":[\"IMAGE\"],"
                        + "\"imageConfig\":{\"aspectRatio\":\"1:1\",\"imageSize\":\"1K\"}}}");
    }

    @Test
    void referenceImagesOfEveryLengthRoundTripThroughBase64() throws IOException {
        for (int extra = 0; extra < 3; extra++) {
            byte[] webp = Files.readAllBytes(Path.of("src/test/resources/gemini/python-16x16-vp8x.webp"));
            byte[] padded = java.util.Arrays.copyOf(webp, webp.length + extra);
            Path reference = write("ref" + extra, padded);

            JsonNode part = json(RequestBodies.gemini(new ImageRequest("m", "p", null, null, List.of(reference)))).at("/contents/0/parts/1/inlineData");

            assertThat(part.get("mimeType").asText()).isEqualTo("image/webp");
            assertThat(Base64.getDecoder().decode(part.get("data").asText())).isEqualTo(padded);
        }
    }

    @Test
    void writeGeminiStreamsIntoTheCallersStreamAndLeavesItOpen() throws IOException {
        Path reference = write("ref.png", TestImages.png(4, 4));
        ImageRequest request = new ImageRequest("gemini-3-pro-image-preview", "p", "1:1", "1K", List.of(reference));
        boolean[] closed = {false};
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        OutputStream out = new OutputStream() {
            @Override
            public void write(int b) {
                sink.write(b);
            }

            @Override
            public void close() {
                closed[0] = true;
            }
        };

        RequestBodies.writeGemini(request, out);

        assertThat(closed[0]).isFalse();
        assertThat(sink.toByteArray()).isEqualTo(RequestBodies.gemini(request));
    }

    @Test
    void aReferenceThatIsNotAnImageFailsBeforeAnyByteIsWritten() throws IOException {
        Path notAnImage = write("notes.txt", "hello world, not an image".getBytes(StandardCharsets.UTF_8));
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        assertThatThrownBy(() -> RequestBodies.writeGemini(new ImageRequest("m", "p", null, null, List.of(notAnImage)), out))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(notAnImage.toString())
                .hasMessageContaining("not a PNG, JPEG, WEBP or GIF");
        assertThat(out.size()).isZero();
    }

    @Test
    void aMissingReferenceNamesTheFile() {
        Path missing = dir.resolve("missing.png");

        assertThatThrownBy(() -> RequestBodies.gemini(new ImageRequest("m", "p", null, null, List.of(missing))))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("Reference image " + missing + " cannot be read");
    }

    @Test
    void openRouterBodyUsesAPlainStringWithoutReferences() throws IOException {
        byte[] body = RequestBodies.openRouter(new ImageRequest("gemini-3-pro-image-preview", "a lighthouse", "16:9", "2K", List.of()),
                "google/gemini-3-pro-image-preview");

        assertThat(new String(body, StandardCharsets.UTF_8)).isEqualTo(
                "{\"model\":\"google/gemini-3-pro-image-preview\","
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"a lighthouse\"}],"
                        + "\"modalities\":[\"image\",\"text\"],"
                        + "\"image_config\":{\"aspect_ratio\":\"16:9\",\"image_size\":\"2K\"}}");
    }

    @Test
    void openRouterBodyWithReferencesUsesContentPartsWithDataUrls() throws IOException {
        byte[] png = TestImages.png(6, 6);
        Path reference = write("ref.png", png);

        byte[] body = RequestBodies.openRouter(new ImageRequest("gemini-2.5-flash-image", "like this", "1:1", "1K", List.of(reference)),
                "google/gemini-2.5-flash-image");

        assertThat(new String(body, StandardCharsets.UTF_8)).isEqualTo(
                "{\"model\":\"google/gemini-2.5-flash-image\","
                        + "\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"like this\"},"
                        + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png;base64," + b64(png) + "\"}}]}],"
                        + "\"modalities\":[\"image\",\"text\"],"
                        + "\"image_config\":{\"aspect_ratio\":\"1:1\"}}");
    }

    @Test
    void openRouterWithoutARoutedModelUsesTheRequestModel() throws IOException {
        JsonNode body = json(RequestBodies.openRouter(new ImageRequest("google/gemini-3-pro-image-preview", "p", null, null, null), null));

        assertThat(body.get("model").asText()).isEqualTo("google/gemini-3-pro-image-preview");
        assertThat(body.has("image_config")).isFalse();
    }

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    private static JsonNode json(byte[] body) throws IOException {
        return MAPPER.readTree(body);
    }

    private static String b64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }
}
