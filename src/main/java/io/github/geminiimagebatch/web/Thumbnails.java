package io.github.geminiimagebatch.web;

import io.github.geminiimagebatch.output.ReadableSink;

import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.stream.FileCacheImageInputStream;
import javax.imageio.stream.ImageInputStream;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.regex.Pattern;

/**
 * Small JPEG previews (at most {@link #MAX_SIDE} pixels a side) of stored images, read back from the
 * outbox folder or the S3 bucket. A 4K image is never decoded whole: the reader skips pixels as it
 * decodes (source subsampling) to the smallest size of at least the thumbnail's (under twice it), which is
 * then scaled smoothly the rest of the way; decoding and scaling only what is kept is what keeps the page
 * cheap for the run it watches;
 * the stored bytes go through a temporary file, not memory. Two thumbnails are made at a time and
 * the results are kept in a cache of bounded size.
 */
public final class Thumbnails {

    public static final int MAX_SIDE = 256;
    static final long CACHE_BYTES = 16L * 1024 * 1024;

    /** {@code B/I.ext} as the outputs name images: two plain segments, an image extension. */
    private static final Pattern IMAGE_NAME = Pattern.compile("[^/\\\\\\p{Cntrl}]+/[^/\\\\\\p{Cntrl}]+\\.(png|jpe?g|webp|gif)",
            Pattern.CASE_INSENSITIVE);

    private final ReadableSink store;
    private final Semaphore working = new Semaphore(2);
    private final Map<String, byte[]> cache = new LinkedHashMap<>(64, 0.75f, true);
    private long cachedBytes;

    public Thumbnails(ReadableSink store) {
        this.store = store;
    }

    /**
     * Why {@code imageName} cannot name a stored image, or empty when it can: anything that could
     * leave the outbox ({@code ..}, absolute paths, back-slashes) or is not an image name is refused.
     */
    public static Optional<String> refusal(String imageName) {
        if (imageName == null || imageName.isEmpty()) {
            return Optional.of("no image named");
        }
        for (String segment : imageName.split("[/\\\\]", -1)) {
            if (segment.equals("..") || segment.equals(".")) {
                return Optional.of("'.' and '..' are not allowed in an image name");
            }
        }
        if (!IMAGE_NAME.matcher(imageName).matches()) {
            return Optional.of("not the name of a stored image (batch/id.png)");
        }
        return Optional.empty();
    }

    /** The JPEG thumbnail of a stored image; the caller has checked the name with {@link #refusal}. */
    public byte[] of(String imageName) throws IOException, InterruptedException {
        byte[] cached = cached(imageName);
        if (cached != null) {
            return cached;
        }
        working.acquire();
        try {
            cached = cached(imageName);
            if (cached != null) {
                return cached;
            }
            byte[] made;
            try (InputStream in = store.open(imageName)) {
                made = jpeg(fit(decodeSubsampled(in)));
            }
            remember(imageName, made);
            return made;
        } finally {
            working.release();
        }
    }

    /**
     * Decodes every n-th pixel in each direction, n as large as keeps the longer side at least {@link #MAX_SIDE}
     * (a 1024x1024 image comes out 256x256, a 3840x2160 one 256x144).
     */
    static BufferedImage decodeSubsampled(InputStream in) throws IOException {
        try (ImageInputStream stream = new FileCacheImageInputStream(in, null)) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(stream);
            if (!readers.hasNext()) {
                throw new IOException("not an image format this Java can read");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(stream, true, true);
                int longest = Math.max(reader.getWidth(0), reader.getHeight(0));
                int step = Math.max(1, longest / MAX_SIDE);
                ImageReadParam param = reader.getDefaultReadParam();
                param.setSourceSubsampling(step, step, 0, 0);
                return reader.read(0, param);
            } finally {
                reader.dispose();
            }
        }
    }

    /** Scales down to fit {@link #MAX_SIDE}, on white (JPEG has no transparency). */
    static BufferedImage fit(BufferedImage image) {
        double scale = Math.min(1.0, MAX_SIDE / (double) Math.max(image.getWidth(), image.getHeight()));
        int width = Math.max(1, (int) Math.round(image.getWidth() * scale));
        int height = Math.max(1, (int) Math.round(image.getHeight() * scale));
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
            g.drawImage(image, 0, 0, width, height, Color.WHITE, null);
        } finally {
            g.dispose();
        }
        return out;
    }

    private static byte[] jpeg(BufferedImage image) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
        if (!ImageIO.write(image, "jpg", out)) {
            throw new IOException("no JPEG writer in this Java");
        }
        return out.toByteArray();
    }

    private synchronized byte[] cached(String imageName) {
        return cache.get(imageName);
    }

    private synchronized void remember(String imageName, byte[] thumbnail) {
        byte[] previous = cache.put(imageName, thumbnail);
        cachedBytes += thumbnail.length - (previous == null ? 0 : previous.length);
        Iterator<Map.Entry<String, byte[]>> oldest = cache.entrySet().iterator();
        while (cachedBytes > CACHE_BYTES && oldest.hasNext()) {
            Map.Entry<String, byte[]> e = oldest.next();
            if (e.getKey().equals(imageName)) {
                continue;
            }
            cachedBytes -= e.getValue().length;
            oldest.remove();
        }
    }

    synchronized int cachedCount() {
        return cache.size();
    }
}
