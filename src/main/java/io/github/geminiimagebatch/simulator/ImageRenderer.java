package io.github.geminiimagebatch.simulator;

import io.github.geminiimagebatch.gemini.NonClosingOutputStream;
import io.github.geminiimagebatch.model.Dimensions;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;

/**
 * Renders deterministic placeholder images: the same seed (a hash of the prompt) gives the same bytes.
 *
 * <p>Flat PNGs are 2-bit palette images: the compressed pixel data depends only on size and pattern and
 * is cached, while the 4 palette colours come from the seed, so serving one costs a few KB of writes.
 * Noise PNGs are RGB rows of seeded random bytes, deflated without compression row by row, so a 4K
 * image streams out in constant memory.
 */
final class ImageRenderer {

    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    private static final int PATTERNS = 3;
    private static final int IDAT_CHUNK_BYTES = 64 * 1024;

    private final Map<String, byte[]> flatPixelData = new ConcurrentHashMap<>();

    void write(ImageMode mode, ImageFormat format, Dimensions size, long seed, OutputStream out) throws IOException {
        if (format == ImageFormat.JPEG) {
            writeFlatJpeg(size, seed, out);
        } else if (mode == ImageMode.NOISE) {
            writeNoisePng(size, seed, out);
        } else {
            writeFlatPng(size, seed, out);
        }
    }

    private void writeFlatPng(Dimensions size, long seed, OutputStream out) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        int pattern = random.nextInt(PATTERNS);
        byte[] palette = new byte[4 * 3];
        random.nextBytes(palette);
        byte[] pixelData = flatPixelData.computeIfAbsent(size.width() + "x" + size.height() + "/" + pattern,
                key -> deflatedFlatPixels(size, pattern));
        out.write(PNG_SIGNATURE);
        writeChunk(out, "IHDR", header(size, 2, 3));
        writeChunk(out, "PLTE", palette);
        writeChunk(out, "IDAT", pixelData);
        writeChunk(out, "IEND", new byte[0]);
    }

    /**
     * Palette indices (2 bits a pixel) forming horizontal bands, vertical bands or an 8x8 checkerboard. A row
     * equal to the one above is written with PNG's "Up" filter, i.e. as zeros, which deflate shrinks best.
     */
    private static byte[] deflatedFlatPixels(Dimensions size, int pattern) {
        int width = size.width();
        int height = size.height();
        int rowBytes = (width * 2 + 7) / 8;
        byte[] row = new byte[rowBytes];
        byte[] previous = new byte[rowBytes];
        byte[] unchangedRow = new byte[1 + rowBytes];
        unchangedRow[0] = 2;
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION);
        try (DeflaterOutputStream deflating = new DeflaterOutputStream(compressed, deflater, 8192)) {
            for (int y = 0; y < height; y++) {
                Arrays.fill(row, (byte) 0);
                for (int x = 0; x < width; x++) {
                    int index = switch (pattern) {
                        case 0 -> y * 4 / height;
                        case 1 -> x * 4 / width;
                        default -> ((x * 8 / width) + (y * 8 / height)) % 2 == 0 ? 1 : 2;
                    };
                    row[x / 4] |= (byte) (index << (6 - (x % 4) * 2));
                }
                if (y > 0 && Arrays.equals(row, previous)) {
                    deflating.write(unchangedRow);
                } else {
                    deflating.write(0);
                    deflating.write(row);
                    System.arraycopy(row, 0, previous, 0, rowBytes);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("In-memory deflate failed", e);
        } finally {
            deflater.end();
        }
        return compressed.toByteArray();
    }

    private static void writeNoisePng(Dimensions size, long seed, OutputStream out) throws IOException {
        out.write(PNG_SIGNATURE);
        writeChunk(out, "IHDR", header(size, 8, 2));
        SplittableRandom random = new SplittableRandom(seed);
        byte[] row = new byte[1 + size.width() * 3];
        Deflater deflater = new Deflater(Deflater.NO_COMPRESSION);
        try (OutputStream chunks = new ChunkingStream(out, "IDAT", IDAT_CHUNK_BYTES);
             DeflaterOutputStream deflating = new DeflaterOutputStream(chunks, deflater, IDAT_CHUNK_BYTES)) {
            for (int y = 0; y < size.height(); y++) {
                for (int i = 1; i < row.length; i += 8) {
                    long bits = random.nextLong();
                    for (int b = 0; b < 8 && i + b < row.length; b++) {
                        row[i + b] = (byte) (bits >>> (b * 8));
                    }
                }
                deflating.write(row);
            }
        } finally {
            deflater.end();
        }
        writeChunk(out, "IEND", new byte[0]);
    }

    private static void writeFlatJpeg(Dimensions size, long seed, OutputStream out) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        int[] colours = {random.nextInt(0x1000000), random.nextInt(0x1000000)};
        BufferedImage image = new BufferedImage(size.width(), size.height(), BufferedImage.TYPE_3BYTE_BGR);
        int[] line = new int[size.width()];
        for (int y = 0; y < size.height(); y++) {
            Arrays.fill(line, colours[y * 2 / size.height()]);
            image.setRGB(0, y, size.width(), 1, line, 0, size.width());
        }
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        try (MemoryCacheImageOutputStream imageOut = new MemoryCacheImageOutputStream(new NonClosingOutputStream(out))) {
            writer.setOutput(imageOut);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(0.8f);
            writer.write(null, new IIOImage(image, null, null), param);
        } finally {
            writer.dispose();
        }
    }

    private static byte[] header(Dimensions size, int bitDepth, int colourType) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(13);
        try (DataOutputStream data = new DataOutputStream(bytes)) {
            data.writeInt(size.width());
            data.writeInt(size.height());
            data.writeByte(bitDepth);
            data.writeByte(colourType);
            data.writeByte(0);
            data.writeByte(0);
            data.writeByte(0);
        } catch (IOException e) {
            throw new IllegalStateException("In-memory write failed", e);
        }
        return bytes.toByteArray();
    }

    private static void writeChunk(OutputStream out, String type, byte[] data) throws IOException {
        writeChunk(out, type, data, data.length);
    }

    private static void writeChunk(OutputStream out, String type, byte[] data, int length) throws IOException {
        byte[] typeBytes = type.getBytes(StandardCharsets.US_ASCII);
        CRC32 crc = new CRC32();
        crc.update(typeBytes);
        crc.update(data, 0, length);
        writeInt(out, length);
        out.write(typeBytes);
        out.write(data, 0, length);
        writeInt(out, (int) crc.getValue());
    }

    private static void writeInt(OutputStream out, int value) throws IOException {
        out.write(value >>> 24);
        out.write(value >>> 16);
        out.write(value >>> 8);
        out.write(value);
    }

    /** Cuts what is written into PNG chunks of a bounded size, so chunk data never piles up. */
    private static final class ChunkingStream extends OutputStream {
        private final OutputStream out;
        private final String type;
        private final byte[] buffer;
        private int filled;

        ChunkingStream(OutputStream out, String type, int chunkBytes) {
            this.out = out;
            this.type = type;
            this.buffer = new byte[chunkBytes];
        }

        @Override
        public void write(int b) throws IOException {
            if (filled == buffer.length) {
                flushChunk();
            }
            buffer[filled++] = (byte) b;
        }

        @Override
        public void write(byte[] data, int offset, int length) throws IOException {
            while (length > 0) {
                if (filled == buffer.length) {
                    flushChunk();
                }
                int n = Math.min(length, buffer.length - filled);
                System.arraycopy(data, offset, buffer, filled, n);
                filled += n;
                offset += n;
                length -= n;
            }
        }

        private void flushChunk() throws IOException {
            if (filled > 0) {
                writeChunk(out, type, buffer, filled);
                filled = 0;
            }
        }

        /** Writes the last chunk; the underlying stream stays open for the chunks that follow. */
        @Override
        public void close() throws IOException {
            flushChunk();
        }
    }
}
