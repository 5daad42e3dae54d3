package io.github.geminiimagebatch.observe;

import io.github.geminiimagebatch.config.ProviderSettings;
import io.github.geminiimagebatch.config.Settings;
import io.github.geminiimagebatch.pipeline.RunState;
import io.github.geminiimagebatch.pipeline.WorkItem;
import io.github.geminiimagebatch.provider.BatchJobView;
import io.github.geminiimagebatch.provider.ProviderRuntime;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The imagegen_* series as Prometheus prints them. */
class RunMetricsTest {

    private final Clock clock = Clock.fixed(Instant.parse("2026-03-10T08:00:00Z"), ZoneOffset.UTC);

    @Test
    void countersAndGaugesArePrintedWithTheirProviderAndStatusLabels() throws Exception {
        ProviderRuntime p = new ProviderRuntime(ProviderSettings.from(Settings.of(Map.of(
                "imagegen.provider.simulator.baseUrl", "http://127.0.0.1:9")), "simulator"),
                ZoneId.of("UTC"), clock);
        RunState run = new RunState(List.of(p), clock);
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        RunMetrics metrics = RunMetrics.register(registry, run);

        metrics.called("simulator");
        metrics.called("simulator");
        metrics.throttled("simulator", "per_minute");
        metrics.retried("simulator");
        metrics.settled("simulator", WorkItem.Status.OK, 0.039);
        metrics.settled(null, WorkItem.Status.SKIPPED, 0);
        p.inFlightCounter().incrementAndGet();
        p.quota().closeUntil(Instant.parse("2026-03-10T08:01:30Z"), "per-day quota exhausted");

        String text = registry.scrape();

        assertThat(text).contains("imagegen_calls_total{provider=\"simulator\"} 2.0")
                .contains("imagegen_throttles_total{kind=\"per_minute\",provider=\"simulator\"} 1.0")
                .contains("imagegen_retries_total{provider=\"simulator\"} 1.0")
                .contains("imagegen_images_total{provider=\"simulator\",status=\"ok\"} 1.0")
                .contains("imagegen_images_total{provider=\"none\",status=\"skipped\"} 1.0")
                .contains("imagegen_images_total{provider=\"simulator\",status=\"failed\"} 0.0")
                .contains("imagegen_cost_usd_total{provider=\"simulator\"} 0.039")
                .contains("imagegen_inflight{provider=\"simulator\"} 1.0")
                .contains("imagegen_provider_pause_seconds{provider=\"simulator\"} 90.0")
                .contains("imagegen_provider_available{provider=\"simulator\"} 0.0")
                .contains("imagegen_queue_depth 0.0");
    }

    @Test
    void batchJobsAreCountedByStateWithTheirItemsAndTheOldestAgeInMetricsAndHealth() throws Exception {
        ProviderRuntime p = new ProviderRuntime(ProviderSettings.from(Settings.of(Map.of(
                "imagegen.provider.simulator.baseUrl", "http://127.0.0.1:9", "imagegen.provider.simulator.mode", "batch")), "simulator"),
                ZoneId.of("UTC"), clock);
        RunState run = new RunState(List.of(p), clock);
        Instant now = clock.instant();
        run.showBatchJobs(() -> List.of(
                new BatchJobView("simulator", "batches/a", "gib-1", "RUNNING", 200, now.minusSeconds(600)),
                new BatchJobView("simulator", "batches/b", "gib-2", "PENDING", 50, now.minusSeconds(30)),
                new BatchJobView("simulator", "batches/c", "gib-3", "SUCCEEDED", 100, now.minusSeconds(900))));
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        RunMetrics.register(registry, run);

        assertThat(registry.scrape()).contains("imagegen_batch_jobs{state=\"running\"} 1.0")
                .contains("imagegen_batch_jobs{state=\"pending\"} 1.0")
                .contains("imagegen_batch_jobs{state=\"succeeded\"} 1.0")
                .contains("imagegen_batch_jobs{state=\"creating\"} 0.0")
                .contains("imagegen_batch_job_items 250.0")
                .contains("imagegen_batch_job_oldest_seconds 600.0");

        var result = new ProviderHealthCheck(p, clock, run::batchJobs).call();
        assertThat(result.getDetails()).containsEntry("batchJobs", 2).containsEntry("batchJobItems", 250)
                .containsEntry("oldestBatchJobSeconds", 600L);
    }
}
