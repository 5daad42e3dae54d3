package io.github.geminiimagebatch.gemini;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 4K image is tens of megabytes of base64 in one JSON string. The google-genai SDK reads it as a
 * String and fails at Jackson's 20,000,000-character limit; these tests prove the decoder streams
 * it instead.
 */
class LargeImageStreamingTest {

    private static final long IMAGE_BYTES = 30_000_000;

    @TempDir
    Path tempDir;

    @Test
    void theBodyUnderTestWouldBreakAStringBasedParser() throws IOException {
        assertThat(LargeBodies.base64Length(IMAGE_BYTES)).isGreaterThan(StreamReadConstraints.defaults().getMaxStringLength());
        try (InputStream body = LargeBodies.gemini(IMAGE_BYTES); JsonParser json = new JsonFactory().createParser(body)) {
            assertThatThrownBy(() -> readEveryStringAsText(json))
                    .isInstanceOf(StreamConstraintsException.class)
                    .hasMessageContaining("String value length");
        }
    }

    @Test
    void aThirtyMegabyteGeminiImageStreamsPastTheStringLimit() throws IOException {
        DecodedResponse decoded = ResponseDecoder.gemini(LargeBodies.gemini(IMAGE_BYTES), tempDir);

        assertStreamedImage(decoded);
        assertThat(decoded.usage()).isEqualTo(new Usage(9, 2000, 2000, 2009));
        assertThat(decoded.modelVersion()).isEqualTo("gemini-3-pro-image-preview");
    }

    @Test
    void aThirtyMegabyteOpenRouterDataUrlStreamsPastTheStringLimit() throws IOException {
        DecodedResponse decoded = ResponseDecoder.openRouter(LargeBodies.openRouter(IMAGE_BYTES), tempDir);

        assertStreamedImage(decoded);
        assertThat(decoded.usage()).isEqualTo(new Usage(9, 2000, null, 2009));
    }

    @Test
    void aSixtyMegabyteImageDecodesInASixteenMegabyteHeap() throws Exception {
        for (String provider : List.of("gemini", "openrouter")) {
            String output = runProbe(provider, 60_000_000L, "-Xmx16m");

            assertThat(output).contains("outcome=IMAGE", "bytes=60000000", "sha256=" + LargeBodies.expectedSha256(60_000_000L));
        }
    }

    private void assertStreamedImage(DecodedResponse decoded) throws IOException {
        assertThat(decoded.outcome()).isEqualTo(Outcome.IMAGE);
        assertThat(decoded.bytes()).isEqualTo(IMAGE_BYTES);
        assertThat(Files.size(decoded.imageFile())).isEqualTo(IMAGE_BYTES);
        assertThat(decoded.sha256()).isEqualTo(LargeBodies.expectedSha256(IMAGE_BYTES));
        assertThat(decoded.mimeType()).isEqualTo("image/png");
        assertThat(decoded.width()).isEqualTo(LargeBodies.WIDTH);
        assertThat(decoded.height()).isEqualTo(LargeBodies.HEIGHT);
    }

    private String runProbe(String provider, long imageBytes, String heap) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process process = new ProcessBuilder(java.toString(), heap, "-cp", System.getProperty("java.class.path"),
                DecoderMemoryProbe.class.getName(), provider, Long.toString(imageBytes), tempDir.toString())
                .redirectErrorStream(true)
                .start();
        try {
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();
            assertThat(process.exitValue()).as(output).isZero();
            return output;
        } finally {
            process.destroyForcibly();
        }
    }

    private static void readEveryStringAsText(JsonParser json) throws IOException {
        for (JsonToken token = json.nextToken(); token != null; token = json.nextToken()) {
            if (token == JsonToken.VALUE_STRING) {
                json.getText();
            }
        }
    }
}
