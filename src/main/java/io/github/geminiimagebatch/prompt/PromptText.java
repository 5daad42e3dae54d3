package io.github.geminiimagebatch.prompt;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A prompt file's text, whatever its format: at most the size limit, UTF-8 (a BOM is dropped), and no UTF-16 or
 * binary file passed off as text. Each refusal names the file and says how to save it instead.
 */
final class PromptText {

    private PromptText() {
    }

    /**
     * @param shown the file name as shown to the user
     * @throws BatchRejectedException the file is too large or is not UTF-8 text
     */
    static String read(Path realFile, long maxFileBytes, String shown) throws IOException, BatchRejectedException {
        return decode(readBounded(realFile, maxFileBytes, shown), shown);
    }

    private static byte[] readBounded(Path realFile, long maxFileBytes, String shown) throws IOException, BatchRejectedException {
        long size = Files.size(realFile);
        if (size <= maxFileBytes) {
            try (InputStream in = Files.newInputStream(realFile)) {
                byte[] bytes = in.readNBytes((int) maxFileBytes + 1);
                if (bytes.length <= maxFileBytes) {
                    return bytes;
                }
                size = bytes.length;
            }
        }
        throw new BatchRejectedException(String.format(Locale.ROOT,
                "%s is %,d bytes, over the limit of %,d bytes per prompt file; split it into smaller files",
                shown, size, maxFileBytes));
    }

    private static String decode(byte[] bytes, String shown) throws BatchRejectedException {
        if (bytes.length >= 2 && (bytes[0] == (byte) 0xFF && bytes[1] == (byte) 0xFE
                || bytes[0] == (byte) 0xFE && bytes[1] == (byte) 0xFF)) {
            throw new BatchRejectedException(shown + " is saved as UTF-16 text; save it again with the UTF-8 encoding");
        }
        for (int offset = 0; offset < bytes.length; offset++) {
            if (bytes[offset] == 0) {
                throw new BatchRejectedException(shown + " looks like a binary file, not text (it has a NUL byte at "
                        + "byte offset " + offset + "); save the prompts as UTF-8 text");
            }
        }
        boolean bom = bytes.length >= 3 && bytes[0] == (byte) 0xEF && bytes[1] == (byte) 0xBB && bytes[2] == (byte) 0xBF;
        int start = bom ? 3 : 0;
        ByteBuffer in = ByteBuffer.wrap(bytes, start, bytes.length - start);
        CharBuffer out = CharBuffer.allocate(bytes.length - start);
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            int offset = in.position();
            int line = 1;
            for (int i = 0; i < offset; i++) {
                if (bytes[i] == '\n') {
                    line++;
                }
            }
            throw new BatchRejectedException(shown + " is not valid UTF-8 text (first bad byte at offset " + offset
                    + ", line " + line + "); open it in an editor and save it again with the UTF-8 encoding");
        }
        return out.flip().toString();
    }
}
