package io.github.geminiimagebatch.web;

import io.github.geminiimagebatch.output.ReadableSink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ThumbnailsTest {

    /** 3840x2160, lossy, made by Chromium's WebP encoder (canvas.toDataURL) from a drawing of gradients and discs. */
    static final Path UHD_WEBP = Path.of("src/test/resources/web/uhd-3840x2160.webp");
    /** CPython's Lib/test/test_email/data/python.webp (PSF License): 16x16, extended (VP8X) format. */
    static final Path SMALL_WEBP = Path.of("src/test/resources/gemini/python-16x16-vp8x.webp");

    @TempDir
    Path tmp;

    @Test
    void namesThatCouldLeaveTheOutboxOrAreNoImageAreRefused() {
        for (String bad : new String[] {"../x.png", "a/../../x.png", "a/..", "..", "a/./b.png", "/etc/x.png", "a\\..\\b.png",
                "a/b/c.png", "a.png", "a/b.json", "a/.keys", "", "a/b\u0000.png", "a/b.png\n"}) {
            assertThat(Thumbnails.refusal(bad)).as(bad).isPresent();
        }
        assertThat(Thumbnails.refusal(null)).isPresent();
        assertThat(Thumbnails.refusal("../x.png")).hasValueSatisfying(r -> assertThat(r).contains(".."));
        for (String good : new String[] {"foxes/fox-1.png", "b/i.jpg", "b/i.JPEG", "Füchse/ein Fuchs.webp", "b/<img>.png"}) {
            assertThat(Thumbnails.refusal(good)).as(good).isEmpty();
        }
    }

    @Test
    void aThumbnailFitsTheBoxKeepsTheShapeAndIsCached() throws Exception {
        Path outbox = Files.createDirectories(tmp.resolve("b"));
        write(outbox.resolve("wide.png"), 1600, 900, "png");
        AtomicInteger opened = new AtomicInteger();
        Thumbnails thumbnails = new Thumbnails(name -> {
            opened.incrementAndGet();
            return Files.newInputStream(tmp.resolve(name));
        });

        byte[] jpeg = thumbnails.of("b/wide.png");
        BufferedImage thumb = ImageIO.read(new ByteArrayInputStream(jpeg));
        assertThat(thumb.getWidth()).isEqualTo(256);
        assertThat(thumb.getHeight()).isEqualTo(144);
        assertThat(thumbnails.of("b/wide.png")).isSameAs(jpeg);
        assertThat(opened).hasValue(1);
    }

    @Test
    void aSmallImageIsNotEnlargedAndJpegSourcesWorkToo() throws Exception {
        Files.createDirectories(tmp.resolve("b"));
        write(tmp.resolve("b/small.jpg"), 100, 60, "jpg");
        Thumbnails thumbnails = new Thumbnails(name -> Files.newInputStream(tmp.resolve(name)));
        BufferedImage thumb = ImageIO.read(new ByteArrayInputStream(thumbnails.of("b/small.jpg")));
        assertThat(thumb.getWidth()).isEqualTo(100);
        assertThat(thumb.getHeight()).isEqualTo(60);
    }

    @Test
    void missingAndUnreadableImagesSaySo() throws Exception {
        Files.createDirectories(tmp.resolve("b"));
        Files.writeString(tmp.resolve("b/text.png"), "not an image at all");
        Thumbnails thumbnails = new Thumbnails(name -> Files.newInputStream(tmp.resolve(name)));
        assertThatThrownBy(() -> thumbnails.of("b/absent.png")).isInstanceOf(NoSuchFileException.class);
        assertThatThrownBy(() -> thumbnails.of("b/text.png")).isInstanceOf(IOException.class)
                .hasMessageContaining("not an image");
    }

    /**
     * A 4096x4096 PNG decoded whole is a 48 MB raster (64 MB as ARGB). Made by subsampling, the
     * thumbnail allocates a small fraction of that: the thread's allocation counter says how much.
     */
    @Test
    void a4kImageIsNeverDecodedWhole() throws Exception {
        Files.createDirectories(tmp.resolve("b"));
        write(tmp.resolve("b/big.png"), 4096, 4096, "png");
        ReadableSink store = name -> Files.newInputStream(tmp.resolve(name));
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        new Thumbnails(store).of("b/big.png");   // warms up ImageIO's readers and writers

        long before = threads.getCurrentThreadAllocatedBytes();
        byte[] jpeg = new Thumbnails(store).of("b/big.png");
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;

        assertThat(ImageIO.read(new ByteArrayInputStream(jpeg)).getWidth()).isEqualTo(256);
        assertThat(allocated).as("bytes allocated for one 4K thumbnail").isLessThan(12L * 1024 * 1024);
    }

    /**
     * WebP through TwelveMonkeys' ImageIO reader: the reader too skips pixels as it decodes (the UHD image
     * comes out at the thumbnail size). Its peak memory is bounded as well (it decodes the UHD
     * image in a JVM of 32 MB heap, see {@link WebpThumbnailPackagedIT}), though it allocates and drops
     * much more than the PNG reader on the way.
     */
    @Test
    void webpImagesGetThumbnailsAndAreSubsampledWhileDecoded() throws Exception {
        Files.createDirectories(tmp.resolve("b"));
        Files.copy(SMALL_WEBP, tmp.resolve("b/small.webp"));
        Files.copy(UHD_WEBP, tmp.resolve("b/uhd.webp"));
        Thumbnails thumbnails = new Thumbnails(name -> Files.newInputStream(tmp.resolve(name)));

        BufferedImage small = ImageIO.read(new ByteArrayInputStream(thumbnails.of("b/small.webp")));
        assertThat(small.getWidth()).isEqualTo(16);
        assertThat(small.getHeight()).isEqualTo(16);
        BufferedImage uhd = ImageIO.read(new ByteArrayInputStream(thumbnails.of("b/uhd.webp")));
        assertThat(uhd.getWidth()).isEqualTo(256);
        assertThat(uhd.getHeight()).isEqualTo(144);
        try (var in = Files.newInputStream(UHD_WEBP)) {
            BufferedImage decoded = Thumbnails.decodeSubsampled(in);
            assertThat(decoded.getWidth()).isEqualTo(256);
            assertThat(decoded.getHeight()).isEqualTo(144);
        }
    }

    /** A gradient with some structure, so that the PNG is not trivially small. */
    private static void write(Path file, int width, int height, String format) throws IOException {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, ((x * 255 / width) << 16) | ((y * 255 / height) << 8) | ((x ^ y) & 0xff));
            }
        }
        try (var out = Files.newOutputStream(file)) {
            assertThat(ImageIO.write(image, format, out)).isTrue();
        }
    }
}
