package io.github.geminiimagebatch.pipeline;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;

/** A test with a fresh {@link Harness} (temporary inbox and outbox, a simulator) per test method. */
abstract class HarnessTest {

    @TempDir
    Path tmp;
    Harness h;

    @BeforeEach
    void startHarness() throws IOException {
        h = Harness.start(tmp);
    }

    @AfterEach
    void stopHarness() {
        h.close();
    }
}
