package io.github.geminiimagebatch.web;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;

/**
 * Run by {@link WebpThumbnailPackagedIT} in a JVM whose classpath is the packaged jar (plus this class):
 * prints which ImageIO reader takes WebP there and the size of the thumbnail of the image named by the
 * first argument.
 */
public final class ThumbnailProbe {

    private ThumbnailProbe() {
    }

    public static void main(String[] args) throws Exception {
        Iterator<ImageReader> readers = ImageIO.getImageReadersByMIMEType("image/webp");
        System.out.println("webp reader: " + (readers.hasNext() ? readers.next().getClass().getName() : "none"));
        Path image = Path.of(args[0]);
        Thumbnails thumbnails = new Thumbnails(name -> Files.newInputStream(image.getParent().resolve(name)));
        byte[] jpeg = thumbnails.of(image.getFileName().toString());
        BufferedImage thumb = ImageIO.read(new ByteArrayInputStream(jpeg));
        System.out.println("thumbnail: " + thumb.getWidth() + "x" + thumb.getHeight());
    }
}
