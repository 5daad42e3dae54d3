package io.github.geminiimagebatch.gemini;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.UUID;

/**
 * Receives decoded image bytes and, in the same pass, writes them to a temp file, hashes them,
 * counts them and keeps the first header bytes for type sniffing — so the image is read exactly
 * once, as it arrives.
 */
final class ImageSink extends OutputStream {

    private final Path file;
    private final OutputStream fileOut;
    private final MessageDigest sha256;
    private final byte[] head = new byte[ImageInfo.HEAD_BYTES];
    private int headLength;
    private long bytes;

    private ImageSink(Path file) throws IOException {
        this.file = file;
        this.fileOut = new BufferedOutputStream(Files.newOutputStream(file), 64 * 1024);
        try {
            this.sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every Java runtime must provide SHA-256", e);
        }
    }

    static ImageSink createIn(Path tempDir) throws IOException {
        Files.createDirectories(tempDir);
        // Files.createTempFile would make it 0600; like every other output it honours the umask instead
        return new ImageSink(Files.createFile(tempDir.resolve("image-" + UUID.randomUUID() + ".part")));
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (headLength < head.length) {
            int copied = Math.min(len, head.length - headLength);
            System.arraycopy(b, off, head, headLength, copied);
            headLength += copied;
        }
        sha256.update(b, off, len);
        fileOut.write(b, off, len);
        bytes += len;
    }

    @Override
    public void close() throws IOException {
        fileOut.close();
    }

    Path file() {
        return file;
    }

    long bytes() {
        return bytes;
    }

    String sha256Hex() {
        return HexFormat.of().formatHex(sha256.digest());
    }

    String sniffedMime() {
        return ImageInfo.sniffMime(Arrays.copyOf(head, headLength), headLength);
    }

    void delete() throws IOException {
        close();
        Files.deleteIfExists(file);
    }
}
