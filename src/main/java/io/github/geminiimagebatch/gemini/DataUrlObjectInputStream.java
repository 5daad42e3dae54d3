package io.github.geminiimagebatch.gemini;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/**
 * Rewrites every JSON string value of the form {@code "data:<mime>;base64,<payload>"} into the
 * object {@code {"mimeType":"<mime>","data":"<payload>"}} while the bytes flow past.
 *
 * <p>Why: Jackson can stream a base64 string into an OutputStream ({@code readBinaryValue}) without
 * holding it, but only when the whole string is base64; OpenRouter puts a data-URL prefix in front
 * of a payload that can be tens of megabytes. Reading it with {@code getText()} would hold the
 * payload twice in memory as chars and trips Jackson's 20,000,000-character string limit on a 4K
 * image. After this rewrite the payload is a plain base64 string and the same streaming path as
 * Gemini's {@code inlineData} decodes it.
 *
 * <p>Working on raw UTF-8 bytes is safe: the bytes of {@code "} and {@code \} never occur inside a
 * multi-byte character, so tracking "inside a string" and escapes byte by byte is exact. Only a
 * string that starts with the data-URL header is touched; every other byte passes unchanged.
 */
final class DataUrlObjectInputStream extends InputStream {

    /** A mime type plus parameters is far shorter; a longer header is left alone. */
    static final int MAX_HEADER_BYTES = 200;

    private static final byte[] DATA_SCHEME = "data:".getBytes(StandardCharsets.US_ASCII);
    private static final int INPUT_CHUNK = 8192;

    private enum State { OUTSIDE, IN_STRING, IN_STRING_ESCAPE, IN_DATA, IN_DATA_ESCAPE }

    private final InputStream in;
    private final byte[] input = new byte[2 * INPUT_CHUNK];
    private int inputPos;
    private int inputLimit;
    private boolean inputEnded;

    private byte[] output = new byte[2 * INPUT_CHUNK + MAX_HEADER_BYTES];
    private int outputPos;
    private int outputLimit;

    private State state = State.OUTSIDE;

    DataUrlObjectInputStream(InputStream in) {
        this.in = in;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (outputPos == outputLimit) {
            if (!fillOutput()) {
                return -1;
            }
        }
        int count = Math.min(len, outputLimit - outputPos);
        System.arraycopy(output, outputPos, b, off, count);
        outputPos += count;
        return count;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    private boolean fillOutput() throws IOException {
        outputPos = 0;
        outputLimit = 0;
        int budget = INPUT_CHUNK;
        while (budget-- > 0 && available(1)) {
            byte c = input[inputPos];
            switch (state) {
                case OUTSIDE -> {
                    if (c == '"') {
                        String mime = matchDataUrlHeader();
                        if (mime != null) {
                            emit("{\"mimeType\":\"" + mime + "\",\"data\":\"");
                            state = State.IN_DATA;
                            continue;
                        }
                        state = State.IN_STRING;
                    }
                }
                case IN_STRING -> state = c == '\\' ? State.IN_STRING_ESCAPE : c == '"' ? State.OUTSIDE : State.IN_STRING;
                case IN_STRING_ESCAPE -> state = State.IN_STRING;
                case IN_DATA -> {
                    if (c == '"') {
                        emit("\"}");
                        inputPos++;
                        state = State.OUTSIDE;
                        continue;
                    }
                    state = c == '\\' ? State.IN_DATA_ESCAPE : State.IN_DATA;
                }
                case IN_DATA_ESCAPE -> state = State.IN_DATA;
            }
            emit(c);
            inputPos++;
        }
        return outputLimit > 0;
    }

    /**
     * At an opening quote: if {@code data:<mime>[;params];base64,} follows, consumes the quote and
     * the header and returns the mime type; otherwise consumes nothing and returns null.
     */
    private String matchDataUrlHeader() throws IOException {
        available(1 + MAX_HEADER_BYTES);
        int start = inputPos + 1;
        if (inputLimit - start < DATA_SCHEME.length) {
            return null;
        }
        for (int i = 0; i < DATA_SCHEME.length; i++) {
            if (Character.toLowerCase(input[start + i]) != DATA_SCHEME[i]) {
                return null;
            }
        }
        StringBuilder header = new StringBuilder();
        for (int i = start + DATA_SCHEME.length; i < inputLimit && i - start < MAX_HEADER_BYTES; i++) {
            int c = input[i] & 0xFF;
            if (c == ',') {
                return finishHeader(header.toString(), i + 1);
            }
            if (c == '\\' && i + 1 < inputLimit && input[i + 1] == '/') {
                header.append('/'); // some encoders escape every slash
                i++;
            } else if (c > 0x20 && c < 0x7F && c != '"' && c != '\\') {
                header.append((char) c);
            } else {
                return null;
            }
        }
        return null;
    }

    private String finishHeader(String header, int payloadStart) {
        int parameters = header.indexOf(';');
        if (parameters <= 0 || !header.toLowerCase(Locale.ROOT).endsWith(";base64")) {
            return null;
        }
        String mime = header.substring(0, parameters);
        if (mime.indexOf('/') <= 0) {
            return null;
        }
        inputPos = payloadStart;
        return mime;
    }

    /** Makes at least {@code count} unread bytes available unless the input ends first; false when none is left. */
    private boolean available(int count) throws IOException {
        if (inputLimit - inputPos >= count) {
            return true;
        }
        if (!inputEnded) {
            int remaining = inputLimit - inputPos;
            System.arraycopy(input, inputPos, input, 0, remaining);
            inputPos = 0;
            inputLimit = remaining;
            while (inputLimit < count && !inputEnded) {
                int read = in.read(input, inputLimit, input.length - inputLimit);
                if (read < 0) {
                    inputEnded = true;
                } else {
                    inputLimit += read;
                }
            }
        }
        return inputLimit > inputPos;
    }

    private void emit(byte b) {
        ensureOutputRoom(1);
        output[outputLimit++] = b;
    }

    private void emit(String ascii) {
        byte[] bytes = ascii.getBytes(StandardCharsets.US_ASCII);
        ensureOutputRoom(bytes.length);
        System.arraycopy(bytes, 0, output, outputLimit, bytes.length);
        outputLimit += bytes.length;
    }

    private void ensureOutputRoom(int count) {
        if (outputLimit + count > output.length) {
            output = Arrays.copyOf(output, Math.max(output.length * 2, outputLimit + count));
        }
    }
}
