package io.github.geminiimagebatch.gemini;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * Image type and pixel size read from the first header bytes of a file, never decoding pixels: a
 * 4K image is tens of megabytes and the batch only needs its mime type, width and height.
 */
public final class ImageInfo {

    /** Enough for every signature and for the PNG, GIF and WEBP size fields. */
    static final int HEAD_BYTES = 32;

    private ImageInfo() {
    }

    /** Width and height in pixels, or empty when the format is not PNG, JPEG, WEBP or GIF or the header is cut short. */
    public static Optional<int[]> dimensions(Path image) throws IOException {
        try (FileChannel channel = FileChannel.open(image, StandardOpenOption.READ)) {
            ByteBuffer head = readAt(channel, 0, HEAD_BYTES);
            String mime = sniffMime(head.array(), head.limit());
            if (mime == null) {
                return Optional.empty();
            }
            return switch (mime) {
                case "image/png" -> pngSize(head);
                case "image/gif" -> gifSize(head);
                case "image/webp" -> webpSize(head);
                case "image/jpeg" -> jpegSize(channel);
                default -> Optional.empty();
            };
        }
    }

    /** File extension (without dot) for a mime type; {@code bin} for a type the outbox has no name for. */
    public static String extensionFor(String mimeType) {
        if (mimeType == null) {
            return "bin";
        }
        return switch (mimeType.toLowerCase(java.util.Locale.ROOT)) {
            case "image/png" -> "png";
            case "image/jpeg", "image/jpg" -> "jpg";
            case "image/webp" -> "webp";
            case "image/gif" -> "gif";
            default -> "bin";
        };
    }

    /** Mime type from the file's magic bytes, or null when it is not PNG, JPEG, WEBP or GIF. */
    public static String sniffMime(Path f) {
        try {
            return readMime(f);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read image file " + f + ": " + e.getMessage(), e);
        }
    }

    static String readMime(Path f) throws IOException {
        try (FileChannel channel = FileChannel.open(f, StandardOpenOption.READ)) {
            ByteBuffer head = readAt(channel, 0, HEAD_BYTES);
            return sniffMime(head.array(), head.limit());
        }
    }

    static String sniffMime(byte[] head, int length) {
        if (startsWith(head, length, 0, 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A)) {
            return "image/png";
        }
        if (startsWith(head, length, 0, 0xFF, 0xD8, 0xFF)) {
            return "image/jpeg";
        }
        if (startsWith(head, length, 0, 'R', 'I', 'F', 'F') && startsWith(head, length, 8, 'W', 'E', 'B', 'P')) {
            return "image/webp";
        }
        if (startsWith(head, length, 0, 'G', 'I', 'F', '8', '7', 'a') || startsWith(head, length, 0, 'G', 'I', 'F', '8', '9', 'a')) {
            return "image/gif";
        }
        return null;
    }

    private static Optional<int[]> pngSize(ByteBuffer head) {
        // Signature (8), IHDR length (4), "IHDR" (4), then width and height as big-endian ints.
        if (head.limit() < 24 || !startsWith(head.array(), head.limit(), 12, 'I', 'H', 'D', 'R')) {
            return Optional.empty();
        }
        return size(head.order(ByteOrder.BIG_ENDIAN).getInt(16), head.getInt(20));
    }

    private static Optional<int[]> gifSize(ByteBuffer head) {
        if (head.limit() < 10) {
            return Optional.empty();
        }
        head.order(ByteOrder.LITTLE_ENDIAN);
        return size(head.getShort(6) & 0xFFFF, head.getShort(8) & 0xFFFF);
    }

    private static Optional<int[]> webpSize(ByteBuffer head) {
        head.order(ByteOrder.LITTLE_ENDIAN);
        byte[] b = head.array();
        if (startsWith(b, head.limit(), 12, 'V', 'P', '8', 'L')) {
            // Lossless: signature 0x2F, then width-1 and height-1 as two 14-bit fields.
            if (head.limit() < 25 || (b[20] & 0xFF) != 0x2F) {
                return Optional.empty();
            }
            int bits = head.getInt(21);
            return size((bits & 0x3FFF) + 1, ((bits >>> 14) & 0x3FFF) + 1);
        }
        if (head.limit() < 30) {
            return Optional.empty();
        }
        if (startsWith(b, head.limit(), 12, 'V', 'P', '8', ' ')) {
            // Lossy: 3-byte frame tag, start code 9D 01 2A, then 14-bit width and height (top 2 bits are scaling).
            if (!startsWith(b, head.limit(), 23, 0x9D, 0x01, 0x2A)) {
                return Optional.empty();
            }
            return size(head.getShort(26) & 0x3FFF, head.getShort(28) & 0x3FFF);
        }
        if (startsWith(b, head.limit(), 12, 'V', 'P', '8', 'X')) {
            // Extended: flags (1), reserved (3), canvas width-1 and height-1 as 24-bit fields.
            return size(uint24(b, 24) + 1, uint24(b, 27) + 1);
        }
        return Optional.empty();
    }

    /**
     * Walks the marker segments by their lengths up to the first start-of-frame. Skipping by length
     * matters: an EXIF APP1 segment embeds a whole thumbnail JPEG whose own SOF would give the
     * thumbnail's size if the bytes were scanned for a marker pattern.
     */
    private static Optional<int[]> jpegSize(FileChannel channel) throws IOException {
        long position = 2;
        long fileSize = channel.size();
        while (position + 4 <= fileSize) {
            ByteBuffer marker = readAt(channel, position, 2);
            if ((marker.get(0) & 0xFF) != 0xFF) {
                return Optional.empty();
            }
            int code = marker.get(1) & 0xFF;
            if (code == 0xFF) {
                position++; // fill byte before a marker
                continue;
            }
            if (code == 0x01 || (code >= 0xD0 && code <= 0xD8)) {
                position += 2; // markers without a length field
                continue;
            }
            if (code == 0xD9 || code == 0xDA) {
                return Optional.empty(); // end of image or start of scan before any frame header
            }
            ByteBuffer segment = readAt(channel, position + 2, 7).order(ByteOrder.BIG_ENDIAN);
            if (segment.limit() < 2) {
                return Optional.empty();
            }
            int segmentLength = segment.getShort(0) & 0xFFFF;
            if (isStartOfFrame(code)) {
                if (segment.limit() < 7) {
                    return Optional.empty();
                }
                return size(segment.getShort(5) & 0xFFFF, segment.getShort(3) & 0xFFFF);
            }
            if (segmentLength < 2) {
                return Optional.empty();
            }
            position += 2 + segmentLength;
        }
        return Optional.empty();
    }

    /** SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC), which share the range. */
    private static boolean isStartOfFrame(int code) {
        return code >= 0xC0 && code <= 0xCF && code != 0xC4 && code != 0xC8 && code != 0xCC;
    }

    private static Optional<int[]> size(int width, int height) {
        return width > 0 && height > 0 ? Optional.of(new int[] {width, height}) : Optional.empty();
    }

    private static int uint24(byte[] b, int offset) {
        return (b[offset] & 0xFF) | (b[offset + 1] & 0xFF) << 8 | (b[offset + 2] & 0xFF) << 16;
    }

    private static ByteBuffer readAt(FileChannel channel, long position, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            int read = channel.read(buffer, position + buffer.position());
            if (read < 0) {
                break;
            }
        }
        buffer.flip();
        return buffer;
    }

    private static boolean startsWith(byte[] data, int length, int offset, int... expected) {
        if (offset + expected.length > length) {
            return false;
        }
        for (int i = 0; i < expected.length; i++) {
            if ((data[offset + i] & 0xFF) != expected[i]) {
                return false;
            }
        }
        return true;
    }
}
