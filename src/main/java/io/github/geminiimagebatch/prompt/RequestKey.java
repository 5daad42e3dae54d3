package io.github.geminiimagebatch.prompt;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * The identity of an image request: a SHA-256 over everything that determines the image (model,
 * prompt, aspect ratio, image size, reference image bytes in order). Two items with the same key
 * are the same paid request, so an existing output for a key means the item need not be sent.
 *
 * <p>Encoding (version {@value #VERSION_TAG}): the tag, then each text field as one marker byte
 * (0 = null, 1 = present) followed, when present, by its UTF-8 length as 8 bytes and its bytes; then
 * the number of reference images as 4 bytes and, for each, its length as 8 bytes and its bytes.
 * Every field is length-prefixed, so no two different inputs share an encoding. Null and {@code ""}
 * are different keys: erring towards a second request can cost one image, erring towards the same
 * key would lose one. (The prompt reader never yields {@code ""} for an unset field.)
 */
public final class RequestKey {

    static final String VERSION_TAG = "gemini-image-batch/request-key/v1";

    private static final byte ABSENT = 0;
    private static final byte PRESENT = 1;
    private static final int STREAM_BUFFER_BYTES = 64 * 1024;

    private RequestKey() {
    }

    /** The key for reference images given as bytes. */
    public static String of(String model, String prompt, String aspectRatio, String imageSize,
                            List<byte[]> referenceImageBytes) {
        MessageDigest digest = textFields(model, prompt, aspectRatio, imageSize, referenceImageBytes.size());
        for (byte[] image : referenceImageBytes) {
            digest.update(longBytes(image.length));
            digest.update(image);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /**
     * The same key as {@link #of} for reference images read from files, streamed through the digest
     * without loading them into memory.
     *
     * @throws IOException when a file cannot be read or changes size while it is read
     */
    public static String ofFiles(String model, String prompt, String aspectRatio, String imageSize,
                                 List<Path> referenceImages) throws IOException {
        MessageDigest digest = textFields(model, prompt, aspectRatio, imageSize, referenceImages.size());
        byte[] buffer = new byte[STREAM_BUFFER_BYTES];
        for (Path image : referenceImages) {
            long expectedBytes = Files.size(image);
            digest.update(longBytes(expectedBytes));
            long readBytes = 0;
            try (InputStream in = Files.newInputStream(image)) {
                for (int n; (n = in.read(buffer)) > 0; ) {
                    readBytes += n;
                    if (readBytes > expectedBytes) {
                        break;
                    }
                    digest.update(buffer, 0, n);
                }
            }
            if (readBytes != expectedBytes) {
                throw new IOException("reference image " + image + " changed while it was read ("
                        + expectedBytes + " bytes expected); make sure nothing writes to it during a run");
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static MessageDigest textFields(String model, String prompt, String aspectRatio, String imageSize,
                                            int referenceImageCount) {
        MessageDigest digest = sha256();
        digest.update(VERSION_TAG.getBytes(StandardCharsets.US_ASCII));
        for (String field : new String[] {model, prompt, aspectRatio, imageSize}) {
            if (field == null) {
                digest.update(ABSENT);
            } else {
                byte[] utf8 = strictUtf8(field);
                digest.update(PRESENT);
                digest.update(longBytes(utf8.length));
                digest.update(utf8);
            }
        }
        digest.update(ByteBuffer.allocate(Integer.BYTES).putInt(referenceImageCount).array());
        return digest;
    }

    /** Lenient encoding would turn every unpaired surrogate into '?', making different prompts one key. */
    private static byte[] strictUtf8(String text) {
        try {
            ByteBuffer encoded = StandardCharsets.UTF_8.newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(CharBuffer.wrap(text));
            byte[] bytes = new byte[encoded.remaining()];
            encoded.get(bytes);
            return bytes;
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("text contains an unpaired UTF-16 surrogate and has no UTF-8 form", e);
        }
    }

    private static byte[] longBytes(long value) {
        return ByteBuffer.allocate(Long.BYTES).putLong(value).array();
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
