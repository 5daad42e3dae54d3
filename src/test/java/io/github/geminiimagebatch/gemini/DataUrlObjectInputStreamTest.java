package io.github.geminiimagebatch.gemini;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class DataUrlObjectInputStreamTest {

    @Test
    void aDataUrlStringBecomesAMimeTypeAndDataObject() throws IOException {
        assertThat(rewrite("{\"url\":\"data:image/png;base64,iVBORw0KGgo=\",\"n\":1}"))
                .isEqualTo("{\"url\":{\"mimeType\":\"image/png\",\"data\":\"iVBORw0KGgo=\"},\"n\":1}");
    }

    @Test
    void headerVariantsAreRecognised() throws IOException {
        assertThat(rewrite("[\"DATA:image/webp;BASE64,AAAA\"]")).isEqualTo("[{\"mimeType\":\"image/webp\",\"data\":\"AAAA\"}]");
        assertThat(rewrite("[\"data:image\\/jpeg;base64,AA\\/A\"]")).isEqualTo("[{\"mimeType\":\"image/jpeg\",\"data\":\"AA\\/A\"}]");
        assertThat(rewrite("[\"data:image/png;name=x.png;base64,AAAA\"]")).isEqualTo("[{\"mimeType\":\"image/png\",\"data\":\"AAAA\"}]");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"text\":\"see data:image/png;base64,AAAA inline\"}",
        "{\"text\":\"he said \\\"data:image/png;base64,AAAA\\\" twice\"}",
        "{\"url\":\"data:text/plain,hello\"}",
        "{\"url\":\"data:image/png,AAAA\"}",
        "{\"url\":\"data:;base64,AAAA\"}",
        "{\"url\":\"https://example.com/a.png\"}",
        "{\"url\":\"data:image/p ng;base64,AAAA\"}"})
    void everythingElsePassesUnchanged(String json) throws IOException {
        assertThat(rewrite(json)).isEqualTo(json);
    }

    @Test
    void aHeaderLongerThanTheLimitIsLeftAlone() throws IOException {
        String json = "[\"data:image/" + "x".repeat(DataUrlObjectInputStream.MAX_HEADER_BYTES) + ";base64,AAAA\"]";

        assertThat(rewrite(json)).isEqualTo(json);
    }

    @Test
    void multiByteCharactersAndEscapesOutsideDataUrlsPassUnchanged() throws IOException {
        String json = "{\"a\":\"ünï \\\\\",\"b\":\"data:image/png;base64,AAAA\",\"c\":\"🌅\\\"\"}";

        assertThat(rewrite(json)).isEqualTo("{\"a\":\"ünï \\\\\",\"b\":{\"mimeType\":\"image/png\",\"data\":\"AAAA\"},\"c\":\"🌅\\\"\"}");
    }

    @Test
    void singleByteReadsGiveTheSameResultAsBulkReads() throws IOException {
        String json = "{\"images\":[{\"url\":\"data:image/png;base64," + "QUJD".repeat(5000) + "\"},{\"url\":\"data:image/jpeg;base64,/9j/\"}]}";
        InputStream in = new DataUrlObjectInputStream(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int b = in.read(); b >= 0; b = in.read()) {
            out.write(b);
        }

        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(rewrite(json));
    }

    @Test
    void aDataUrlSplitAcrossTinyUpstreamReadsIsStillRecognised() throws IOException {
        byte[] json = "[\"data:image/png;base64,AAAA\"]".getBytes(StandardCharsets.UTF_8);
        InputStream trickle = new ByteArrayInputStream(json) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, 1));
            }
        };

        String rewritten = new String(new DataUrlObjectInputStream(trickle).readAllBytes(), StandardCharsets.UTF_8);

        assertThat(rewritten).isEqualTo("[{\"mimeType\":\"image/png\",\"data\":\"AAAA\"}]");
    }

    private static String rewrite(String json) throws IOException {
        try (InputStream in = new DataUrlObjectInputStream(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
