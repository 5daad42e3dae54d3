package io.github.geminiimagebatch.gemini;

import java.io.IOException;
import java.io.InputStream;
import java.util.Base64;

/** Standard base64 of another stream, produced chunk by chunk as it is read. */
final class Base64EncodingInputStream extends InputStream {

    private static final int SOURCE_CHUNK = 3 * 4096;

    private final InputStream source;
    private final byte[] raw = new byte[SOURCE_CHUNK];
    private byte[] encoded = new byte[0];
    private int encodedPos;

    Base64EncodingInputStream(InputStream source) {
        this.source = source;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (encodedPos == encoded.length && !refill()) {
            return -1;
        }
        int count = Math.min(len, encoded.length - encodedPos);
        System.arraycopy(encoded, encodedPos, b, off, count);
        encodedPos += count;
        return count;
    }

    /** Reads whole 3-byte groups so only the very last chunk carries padding. */
    private boolean refill() throws IOException {
        int filled = source.readNBytes(raw, 0, raw.length);
        if (filled == 0) {
            return false;
        }
        encoded = Base64.getEncoder().encode(java.util.Arrays.copyOf(raw, filled));
        encodedPos = 0;
        return true;
    }
}
