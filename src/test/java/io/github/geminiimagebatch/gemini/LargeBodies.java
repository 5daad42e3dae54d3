package io.github.geminiimagebatch.gemini;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Response bodies carrying a generated image of any size, produced as streams and never held whole. */
final class LargeBodies {

    static final int WIDTH = 5504;
    static final int HEIGHT = 3072;

    private LargeBodies() {
    }

    static InputStream gemini(long imageBytes) {
        return wrap("{\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"Here it is.\"},"
                        + "{\"inlineData\":{\"mimeType\":\"image/png\",\"data\":\"",
                imageBytes,
                "\"}}]},\"finishReason\":\"STOP\"}],\"usageMetadata\":{\"promptTokenCount\":9,\"candidatesTokenCount\":2000,"
                        + "\"totalTokenCount\":2009,\"candidatesTokensDetails\":[{\"modality\":\"IMAGE\",\"tokenCount\":2000}]},"
                        + "\"modelVersion\":\"gemini-3-pro-image-preview\"}");
    }

    static InputStream openRouter(long imageBytes) {
        return wrap("{\"id\":\"gen-1\",\"choices\":[{\"finish_reason\":\"stop\",\"message\":{\"role\":\"assistant\",\"content\":\"\","
                        + "\"images\":[{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png;base64,",
                imageBytes,
                "\"}}]}}],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":2000,\"total_tokens\":2009}}");
    }

    static String expectedSha256(long imageBytes) throws IOException {
        try (DigestInputStream in = new DigestInputStream(new GeneratedImageStream(imageBytes, WIDTH, HEIGHT), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(OutputStreamSink.INSTANCE);
            return HexFormat.of().formatHex(in.getMessageDigest().digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static long base64Length(long imageBytes) {
        return (imageBytes + 2) / 3 * 4;
    }

    private static InputStream wrap(String prefix, long imageBytes, String suffix) {
        return new SequenceInputStream(new SequenceInputStream(
                new ByteArrayInputStream(prefix.getBytes(StandardCharsets.UTF_8)),
                new Base64EncodingInputStream(new GeneratedImageStream(imageBytes, WIDTH, HEIGHT))),
                new ByteArrayInputStream(suffix.getBytes(StandardCharsets.UTF_8)));
    }

    private static final class OutputStreamSink extends java.io.OutputStream {
        static final OutputStreamSink INSTANCE = new OutputStreamSink();

        @Override
        public void write(int b) {
        }

        @Override
        public void write(byte[] b, int off, int len) {
        }
    }
}
