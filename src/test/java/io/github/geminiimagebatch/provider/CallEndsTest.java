package io.github.geminiimagebatch.provider;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class CallEndsTest {

    private final CallEnds callEnds = new CallEnds();

    @Test
    void aWaiterWakesWhenACallEndsNotAtItsTimeout() throws Exception {
        long seen = callEnds.count();
        CompletableFuture<Long> woke = CompletableFuture.supplyAsync(() -> {
            long started = System.nanoTime();
            try {
                callEnds.await(seen, Duration.ofSeconds(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return System.nanoTime() - started;
        });
        Thread.sleep(100);
        callEnds.ended();
        assertThat(TimeUnit.NANOSECONDS.toSeconds(woke.get(10, TimeUnit.SECONDS))).isLessThan(10);
        assertThat(callEnds.count()).isEqualTo(seen + 1);
    }

    @Test
    void aCallThatEndedBeforeTheWaitIsNotMissed() throws Exception {
        long seen = callEnds.count();
        callEnds.ended();
        long started = System.nanoTime();
        callEnds.await(seen, Duration.ofSeconds(30));
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void withoutACallEndingTheWaitLastsItsTimeout() throws Exception {
        long started = System.nanoTime();
        callEnds.await(callEnds.count(), Duration.ofMillis(200));
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(150));
    }
}
