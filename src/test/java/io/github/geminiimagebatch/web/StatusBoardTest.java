package io.github.geminiimagebatch.web;

import io.github.geminiimagebatch.pipeline.BatchRun;
import io.github.geminiimagebatch.pipeline.WorkItem;
import io.github.geminiimagebatch.testing.MutableClock;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class StatusBoardTest {

    private final MutableClock clock = MutableClock.at("2026-12-04T10:00:00Z");

    @Test
    void providerTotalsAndTheChartFollowWhatTheRunSays() {
        StatusBoard board = new StatusBoard(clock, List.of("aistudio", "vertex"));
        board.called("aistudio");
        board.called("aistudio");
        board.throttled("aistudio", "per_minute");
        board.retried("aistudio");
        clock.advance(Duration.ofSeconds(6));
        board.settled("aistudio", WorkItem.Status.OK, 0.039);
        board.settled(null, WorkItem.Status.SKIPPED, 0);
        board.settled("vertex", WorkItem.Status.FAILED, 0);

        StatusBoard.ProviderCounts a = board.counts("aistudio");
        assertThat(a.calls.sum()).isEqualTo(2);
        assertThat(a.images.sum()).isEqualTo(1);
        assertThat(a.retries.sum()).isEqualTo(1);
        assertThat(a.costUsd.sum()).isEqualTo(0.039);
        assertThat(a.throttlesByKind()).isEqualTo(Map.of("per_minute", 1L));
        assertThat(board.counts("vertex").images.sum()).isZero();

        ActivitySeries.Snapshot s = board.series();
        assertThat(s.bucket()).isEqualTo(StatusBoard.BUCKET);
        assertThat(s.providers().get("aistudio").images()).containsExactly(0L, 1L);
        assertThat(s.providers().get("aistudio").throttles().get("per_minute")).containsExactly(1L, 0L);
        assertThat(s.providers().get("vertex").images()).containsExactly(0L, 0L);
    }

    @Test
    void batchesKeepTheirNumberAndOnlyTheLatestFinishedOnesAreKept() {
        StatusBoard board = new StatusBoard(clock, List.of("simulator"));
        for (int i = 0; i < StatusBoard.BATCHES_KEPT + 5; i++) {
            board.batchOpened(new BatchRun("b" + i, Path.of("b" + i + ".txt"), clock.instant()));
        }
        assertThat(board.batches()).hasSize(StatusBoard.BATCHES_KEPT);
        assertThat(board.batches().firstKey()).isEqualTo(5);
        assertThat(board.batch(5).orElseThrow().getName()).isEqualTo("b5");
        assertThat(board.batch(4)).isEmpty();
        assertThat(board.batch(StatusBoard.BATCHES_KEPT + 4).orElseThrow().getName()).isEqualTo("b104");
    }

    @Test
    void onlyImagesOfTheRunsItemsAreStoredImages() {
        StatusBoard board = new StatusBoard(clock, List.of("simulator"));
        board.batchOpened(new BatchRun("foxes", Path.of("foxes.txt"), clock.instant()));
        assertThat(board.isStoredImage("foxes/0001.png")).isFalse();
        assertThat(board.isStoredImage("0001.png")).isFalse();
        assertThat(board.isStoredImage("/0001.png")).isFalse();
    }
}
