package io.github.geminiimagebatch.soak;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The short version of bench/soak: the packaged jar as a service for 40 s against the simulator with the
 * soak's faults, 12 prompt files arriving at random times, S3Proxy down for 10 s (longer than retryFor)
 * midway with a file arriving as it goes down. Every item is stored exactly once, every file ends in
 * .done/, and the file whose items the outage left pending is read again without a restart. Heap, threads
 * and FDs are printed; their flatness is judged by the 30-minute bench only (a short run is mostly warm-up).
 */
class SoakIT {

    @TempDir
    Path work;

    @Test
    void aShortSoakStoresEveryItemOnceThroughFaultsAndAnS3Outage() throws Exception {
        Path jar = Path.of(System.getProperty("imagegen.jar", "target/gemini-image-batch.jar")).toAbsolutePath();
        Soak.Options defaults = Soak.Options.defaults(jar, work);
        Soak.Options shortRun = new Soak.Options(Duration.ofSeconds(40), 12, 20, Duration.ofSeconds(10), defaults.day(),
                defaults.faults(), Duration.ofSeconds(5), 7, jar, work, false, Duration.ofSeconds(4));

        Soak.Result result = new Soak(shortRun).run();

        System.out.println(result.summary());
        assertThat(result.problems()).as(result.summary()).isEmpty();
        assertThat(result.filesDone()).isEqualTo(12);
        assertThat(result.filesReadAgain()).as("files left pending by the S3 outage and read again").isPositive();
        assertThat(result.itemsStored()).isEqualTo(result.items()).isPositive();
        assertThat(result.billed()).as("answers paid while S3 was down are kept and stored, not paid again")
                .isBetween((long) result.items(), result.items() + result.paidButLost());
    }
}
