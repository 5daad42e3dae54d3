package io.github.geminiimagebatch.web;

import io.github.geminiimagebatch.testing.PackagedJar;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The WebP reader is an ImageIO service (META-INF/services) of a dependency: the fat jar must still
 * register it after shading merged every dependency's service files. Only the packaged jar (and the
 * probe) is on the classpath here, not the dependency itself. The JVM has a 32 MB heap: a UHD WebP
 * decoded whole would take 33 MB for its pixels alone.
 */
class WebpThumbnailPackagedIT {

    @Test
    void thePackagedJarMakesThumbnailsOfWebpImages() throws Exception {
        Path jar = PackagedJar.find();
        Path probe = Path.of("target/test-classes").toAbsolutePath();
        Process java = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx32m", "-XX:+UseSerialGC", "-cp", jar + File.pathSeparator + probe, ThumbnailProbe.class.getName(),
                ThumbnailsTest.UHD_WEBP.toAbsolutePath().toString())
                .redirectErrorStream(true).start();
        String output = new String(java.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(java.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(java.exitValue()).as(output).isZero();
        assertThat(output).contains("webp reader: com.twelvemonkeys.imageio.plugins.webp.WebPImageReader")
                .contains("thumbnail: 256x144");
    }
}
