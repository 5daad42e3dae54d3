package io.github.geminiimagebatch.gemini;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.zip.CRC32;

/**
 * A deterministic "PNG" of any length produced on the fly: a valid signature and IHDR chunk (so
 * type and size can be read from it) followed by pseudo-random filler. Lets a test push tens of
 * megabytes through the decoder without holding them anywhere.
 */
final class GeneratedImageStream extends InputStream {

    private final byte[] header;
    private final long totalBytes;
    private long position;
    private long state = 0x9E3779B97F4A7C15L;

    GeneratedImageStream(long totalBytes, int width, int height) {
        this.totalBytes = totalBytes;
        ByteBuffer ihdr = ByteBuffer.allocate(8 + 25);
        ihdr.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A});
        ihdr.putInt(13).put(new byte[] {'I', 'H', 'D', 'R'}).putInt(width).putInt(height).put(new byte[] {8, 6, 0, 0, 0});
        CRC32 crc = new CRC32();
        crc.update(ihdr.array(), 12, 17);
        ihdr.putInt((int) crc.getValue());
        this.header = ihdr.array();
    }

    @Override
    public int read() {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) {
        if (position >= totalBytes) {
            return -1;
        }
        int count = (int) Math.min(len, totalBytes - position);
        for (int i = 0; i < count; i++, position++) {
            if (position < header.length) {
                b[off + i] = header[(int) position];
            } else {
                state ^= state << 13;
                state ^= state >>> 7;
                state ^= state << 17;
                b[off + i] = (byte) state;
            }
        }
        return count;
    }
}
