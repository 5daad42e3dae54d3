package io.github.geminiimagebatch.gemini;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ImageInfoTest {

    @TempDir
    Path dir;

    @Test
    void pngSizeComesFromIhdr() throws IOException {
        Path png = write("a", TestImages.png(1376, 768));

        assertThat(ImageInfo.dimensions(png)).hasValueSatisfying(size -> assertThat(size).containsExactly(1376, 768));
        assertThat(ImageInfo.sniffMime(png)).isEqualTo("image/png");
    }

    @Test
    void jpegSizeComesFromTheFrameHeader() throws IOException {
        Path jpeg = write("b", TestImages.jpeg(848, 1264));

        assertThat(ImageInfo.dimensions(jpeg)).hasValueSatisfying(size -> assertThat(size).containsExactly(848, 1264));
        assertThat(ImageInfo.sniffMime(jpeg)).isEqualTo("image/jpeg");
    }

    @Test
    void jpegSegmentsAreSkippedByLengthSoAnExifThumbnailDoesNotFoolIt() throws IOException {
        byte[] main = TestImages.jpeg(200, 100);
        byte[] thumbnail = TestImages.jpeg(16, 8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(main, 0, 2); // SOI
        byte[] exifHeader = "Exif\0\0".getBytes(StandardCharsets.US_ASCII);
        int app1Length = 2 + exifHeader.length + thumbnail.length;
        out.write(new byte[] {(byte) 0xFF, (byte) 0xE1, (byte) (app1Length >> 8), (byte) app1Length});
        out.write(exifHeader);
        out.write(thumbnail);
        out.write(0xFF); // a fill byte before the next marker is legal
        out.write(main, 2, main.length - 2);

        assertThat(ImageInfo.dimensions(write("exif.jpg", out.toByteArray())))
                .hasValueSatisfying(size -> assertThat(size).containsExactly(200, 100));
    }

    @Test
    void jpegHuffmanTableMarkerIsNotMistakenForAFrameAndProgressiveFramesCount() throws IOException {
        byte[] jpeg = {
            (byte) 0xFF, (byte) 0xD8,
            (byte) 0xFF, (byte) 0xC4, 0x00, 0x07, 0x00, 0x01, 0x00, 0x02, 0x00, // DHT; its payload looks like a size
            (byte) 0xFF, (byte) 0xC2, 0x00, 0x11, 0x08, 0x04, 0x00, 0x03, 0x00, // SOF2: height 1024, width 768
            0x03, 0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01,
            (byte) 0xFF, (byte) 0xD9};

        assertThat(ImageInfo.dimensions(write("progressive.jpg", jpeg)))
                .hasValueSatisfying(size -> assertThat(size).containsExactly(768, 1024));
    }

    @Test
    void jpegWithoutFrameBeforeScanHasNoSize() throws IOException {
        byte[] jpeg = {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xDA, 0x00, 0x02, 0x00, 0x00};

        assertThat(ImageInfo.dimensions(write("noframe.jpg", jpeg))).isEmpty();
    }

    @Test
    void jpegCutBeforeItsFrameHeaderHasNoSize() throws IOException {
        byte[] main = TestImages.jpeg(50, 60);

        assertThat(ImageInfo.dimensions(write("cut.jpg", Arrays.copyOf(main, 25)))).isEmpty();
    }

    /** The file is CPython's Lib/test/test_email/data/python.webp (PSF License), a real encoder's output. */
    @Test
    void webpExtendedFromARealFile() throws IOException {
        Path webp = Path.of("src/test/resources/gemini/python-16x16-vp8x.webp");

        assertThat(ImageInfo.dimensions(webp)).hasValueSatisfying(size -> assertThat(size).containsExactly(16, 16));
        assertThat(ImageInfo.sniffMime(webp)).isEqualTo("image/webp");
    }

    @Test
    void webpExtendedCanvasUses24BitFields() throws IOException {
        ByteBuffer chunk = ByteBuffer.allocate(10).order(ByteOrder.LITTLE_ENDIAN);
        chunk.put((byte) 0x10).put(new byte[3]);
        putUint24(chunk, 6143);
        putUint24(chunk, 3455);

        assertThat(ImageInfo.dimensions(write("x.webp", riff("VP8X", chunk.array()))))
                .hasValueSatisfying(size -> assertThat(size).containsExactly(6144, 3456));
    }

    @Test
    void webpLossyReadsFourteenBitSizesAndIgnoresTheScaleBits() throws IOException {
        ByteBuffer chunk = ByteBuffer.allocate(10).order(ByteOrder.LITTLE_ENDIAN);
        chunk.put(new byte[] {0x30, 0x01, 0x00, (byte) 0x9D, 0x01, 0x2A});
        chunk.putShort((short) (1344 | 0x4000)).putShort((short) (768 | 0x8000));

        assertThat(ImageInfo.dimensions(write("lossy.webp", riff("VP8 ", chunk.array()))))
                .hasValueSatisfying(size -> assertThat(size).containsExactly(1344, 768));
    }

    @Test
    void webpLossyWithoutStartCodeHasNoSize() throws IOException {
        byte[] chunk = {0x30, 0x01, 0x00, 0x00, 0x00, 0x00, 0x40, 0x05, 0x00, 0x03};

        assertThat(ImageInfo.dimensions(write("bad.webp", riff("VP8 ", chunk)))).isEmpty();
    }

    @Test
    void webpLosslessPacksWidthAndHeightIntoFourteenBitFields() throws IOException {
        ByteBuffer chunk = ByteBuffer.allocate(5).order(ByteOrder.LITTLE_ENDIAN);
        chunk.put((byte) 0x2F).putInt((1584 - 1) | (672 - 1) << 14);

        assertThat(ImageInfo.dimensions(write("lossless.webp", riff("VP8L", chunk.array()))))
                .hasValueSatisfying(size -> assertThat(size).containsExactly(1584, 672));
    }

    @Test
    void gifSizeFromTheScreenDescriptor() throws IOException {
        Path gif = write("g", TestImages.gif(33, 21));

        assertThat(ImageInfo.dimensions(gif)).hasValueSatisfying(size -> assertThat(size).containsExactly(33, 21));
        assertThat(ImageInfo.sniffMime(gif)).isEqualTo("image/gif");
    }

    @Test
    void unknownOrTruncatedFilesHaveNoSizeAndNoMime() throws IOException {
        Path text = write("t", "just some text that is long enough".getBytes(StandardCharsets.US_ASCII));
        Path cutPng = write("p", Arrays.copyOf(TestImages.png(10, 10), 20));
        Path empty = write("e", new byte[0]);

        assertThat(ImageInfo.dimensions(text)).isEmpty();
        assertThat(ImageInfo.sniffMime(text)).isNull();
        assertThat(ImageInfo.dimensions(cutPng)).isEmpty();
        assertThat(ImageInfo.sniffMime(cutPng)).isEqualTo("image/png");
        assertThat(ImageInfo.dimensions(empty)).isEmpty();
        assertThat(ImageInfo.sniffMime(empty)).isNull();
    }

    @Test
    void sniffingAMissingFileSaysWhichFile() {
        Path missing = dir.resolve("nope.png");

        assertThatThrownBy(() -> ImageInfo.sniffMime(missing)).isInstanceOf(UncheckedIOException.class).hasMessageContaining(missing.toString());
    }

    @ParameterizedTest
    @CsvSource({"image/png, png", "image/jpeg, jpg", "IMAGE/JPEG, jpg", "image/webp, webp", "image/gif, gif", "image/avif, bin", "text/plain, bin"})
    void extensionForMimeType(String mimeType, String extension) {
        assertThat(ImageInfo.extensionFor(mimeType)).isEqualTo(extension);
    }

    @Test
    void extensionForNullIsBin() {
        assertThat(ImageInfo.extensionFor(null)).isEqualTo("bin");
    }

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    private static byte[] riff(String chunkType, byte[] chunk) {
        ByteBuffer riff = ByteBuffer.allocate(20 + chunk.length).order(ByteOrder.LITTLE_ENDIAN);
        riff.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(12 + chunk.length).put("WEBP".getBytes(StandardCharsets.US_ASCII));
        riff.put(chunkType.getBytes(StandardCharsets.US_ASCII)).putInt(chunk.length).put(chunk);
        return riff.array();
    }

    private static void putUint24(ByteBuffer buffer, int value) {
        buffer.put((byte) value).put((byte) (value >> 8)).put((byte) (value >> 16));
    }
}
