package io.github.geminiimagebatch.quota;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.geminiimagebatch.quota.PacingSimulation.Result;
import io.github.geminiimagebatch.quota.PacingSimulation.SlidingWindowServer;
import io.github.geminiimagebatch.testing.MutableClock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The end-to-end targets, measured against a simulated server window: limits configured right
 * give >= 95% of the limit with <= 1% 429s; limits unset or 3x too high give >= 85% with <= 10%.
 */
class LearningSimulationTest {

    private static Result simulate(String configuredRequests, String configuredImages, SlidingWindowServer server,
                                   int maxConcurrency, Duration latency, Duration measured) {
        return simulate(configuredRequests, configuredImages, server, maxConcurrency, latency, measured, "2026-03-10T17:00:00Z");
    }

    private static Result simulate(String configuredRequests, String configuredImages, SlidingWindowServer server,
                                   int maxConcurrency, Duration latency, Duration measured, String start) {
        MutableClock clock = MutableClock.at(start);
        QuotaSettings settings = QuotaSettings.of(Limits.parse(configuredRequests, "limits"),
                Limits.parse(configuredImages, "imageLimits"));
        ProviderQuota quota = new ProviderQuota("sim", settings, clock, new Random(1));
        return new PacingSimulation(clock, quota, server, maxConcurrency, latency, 1)
                .run(Duration.ofMinutes(3), measured);
    }

    private static void report(String name, Result result, double limitPerSecond) {
        System.out.printf(Locale.ROOT, "%s: %.1f%% of the limit after warm-up (%d accepted, %d throttled);"
                        + " whole run %d accepted, %d throttled (%.2f%%); learned %s, adaptive %s/min%n",
                name, 100 * result.acceptedPerSecond() / limitPerSecond, result.accepted(), result.throttled(),
                result.totalAccepted(), result.totalThrottled(), 100 * result.throttledShare(), result.quota().snapshot().learnedLimits(),
                result.quota().snapshot().adaptiveRequestsPerMinute());
    }

    @ParameterizedTest(name = "real {0}/{1}s, configured ''{2}'', concurrency {3}, latency {4} ms")
    @CsvSource(delimiter = ';', value = {
            "10; 60; 10/min; 4; 8000",
            "10; 60; 10/min; 1; 2000",
            "60; 60; 60/min; 8; 5000",
            "10; 6; 10/6s; 4; 1000",
    })
    void configuredRightGetsTheLimitWithoutThrottling(long permits, long windowSeconds, String configured,
                                                       int concurrency, long latencyMillis) {
        Duration window = Duration.ofSeconds(windowSeconds);
        Result result = simulate(configured, "", new SlidingWindowServer(permits, 0, window, true),
                concurrency, Duration.ofMillis(latencyMillis), window.multipliedBy(100));
        double limitPerSecond = permits / (double) windowSeconds;
        report("configured " + configured, result, limitPerSecond);
        assertThat(result.acceptedPerSecond() / limitPerSecond).isGreaterThanOrEqualTo(0.95);
        assertThat(result.throttledShare()).isLessThanOrEqualTo(0.01);
    }

    @ParameterizedTest(name = "real {0}/{1}s, configured ''{2}'', concurrency {3}, latency {4} ms")
    @CsvSource(delimiter = ';', value = {
            "10; 60; ''; 4; 8000",
            "10; 60; 30/min; 4; 8000",
            "10; 60; ''; 1; 2000",
            "10; 60; 30/min; 8; 500",
            "60; 60; ''; 16; 5000",
            "60; 60; 180/min; 16; 5000",
            "10; 6; ''; 4; 1000",
            "10; 6; 30/6s; 4; 1000",
            "5; 10; ''; 2; 300",
    })
    void unsetOrTooHighLimitsAreLearnedFromThe429s(long permits, long windowSeconds, String configured,
                                                   int concurrency, long latencyMillis) {
        Duration window = Duration.ofSeconds(windowSeconds);
        Result result = simulate(configured, "", new SlidingWindowServer(permits, 0, window, true),
                concurrency, Duration.ofMillis(latencyMillis), window.multipliedBy(100));
        double limitPerSecond = permits / (double) windowSeconds;
        report("learned, configured '" + configured + "'", result, limitPerSecond);
        assertThat(result.acceptedPerSecond() / limitPerSecond).isGreaterThanOrEqualTo(0.85);
        assertThat(result.throttledShare()).isLessThanOrEqualTo(0.10);
        assertThat(result.quota().snapshot().learnedLimits()).singleElement().satisfies(learned -> {
            assertThat(learned.permits()).isEqualTo(permits);
            assertThat(learned.period()).isBetween(window, window.plusSeconds(1));
        });
    }

    @ParameterizedTest(name = "fixed calendar-minute windows: real {0}/{1}s, configured ''{2}'', concurrency {3}, start {5}")
    @CsvSource(delimiter = ';', value = {
            "10; 60; ''; 4; 8000; 17:00:00", "10; 60; ''; 4; 8000; 17:00:37.25", "10; 60; ''; 1; 2000; 17:00:59",
            "10; 60; 30/min; 4; 8000; 17:00:21", "60; 60; ''; 8; 3000; 17:00:45", "10; 60; 10/min; 4; 8000; 17:00:37"})
    void fixedServerWindowsAreSafeUnderTheSlidingRule(long permits, long windowSeconds, String configured,
                                                     int concurrency, long latencyMillis, String startTime) {
        Duration window = Duration.ofSeconds(windowSeconds);
        Result result = simulate(configured, "", new SlidingWindowServer(permits, 0, window, true).fixedWindows(),
                concurrency, Duration.ofMillis(latencyMillis), window.multipliedBy(100), "2026-03-10T" + startTime + "Z");
        double limitPerSecond = permits / (double) windowSeconds;
        report("fixed windows, configured '" + configured + "'", result, limitPerSecond);
        assertThat(result.acceptedPerSecond() / limitPerSecond).isGreaterThanOrEqualTo(0.85);
        assertThat(result.throttledShare()).isLessThanOrEqualTo(0.10);
    }

    @ParameterizedTest(name = "images: real {0}/min, configured ''{1}''")
    @CsvSource(delimiter = ';', value = {"8; ''", "8; 24/min", "8; 8/min"})
    void imagesPerMinuteIsLearnedToo(long imagesPerMinute, String configuredImages) {
        Result result = simulate("", configuredImages, new SlidingWindowServer(1000, imagesPerMinute, Duration.ofMinutes(1), true),
                4, Duration.ofSeconds(6), Duration.ofMinutes(100));
        double limitPerSecond = imagesPerMinute / 60.0;
        report("images, configured '" + configuredImages + "'", result, limitPerSecond);
        assertThat(result.acceptedPerSecond() / limitPerSecond).isGreaterThanOrEqualTo(0.85);
        assertThat(result.throttledShare()).isLessThanOrEqualTo(0.10);
    }

    @ParameterizedTest(name = "bare 429s: real {0}/{1}s, concurrency {2}")
    @CsvSource(delimiter = ';', value = {"10; 60; 4; 8000", "60; 60; 8; 3000", "10; 6; 4; 1000"})
    void withoutQuotaDetailsAimdKeepsThrottlingRareButCostsThroughput(long permits, long windowSeconds, int concurrency,
                                                                     long latencyMillis) {
        Duration window = Duration.ofSeconds(windowSeconds);
        Result result = simulate("", "", new SlidingWindowServer(permits, 0, window, false),
                concurrency, Duration.ofMillis(latencyMillis), window.multipliedBy(100));
        double limitPerSecond = permits / (double) windowSeconds;
        report("bare 429s", result, limitPerSecond);
        assertThat(result.acceptedPerSecond() / limitPerSecond).isGreaterThanOrEqualTo(0.5);
        assertThat(result.throttledShare()).isLessThanOrEqualTo(0.15);
        assertThat(result.quota().snapshot().adaptiveRequestsPerMinute()).isNotNull();
        assertThat(result.quota().snapshot().learnedLimits()).isEqualTo(List.of());
    }
}
