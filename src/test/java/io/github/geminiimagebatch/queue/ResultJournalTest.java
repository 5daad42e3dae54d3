package io.github.geminiimagebatch.queue;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class ResultJournalTest {

    @TempDir
    Path state;

    private final String run = UUID.randomUUID().toString();

    private final Path source = Path.of("inbox/cats.txt");

    /** A journal with the run of cats.txt begun and one result recorded for each status given (items 0001 ...). */
    private ResultJournal journalWith(String... statuses) throws IOException {
        ResultJournal journal = new ResultJournal(state);
        journal.begin(run, "cats", source);
        for (String status : statuses) {
            assertThat(journal.record(run, result("0001", status))).isTrue();
        }
        return journal;
    }

    private static JsonNode result(String id, String status) throws IOException {
        return WorkMessages.JSON.readTree("{\"id\":\"" + id + "\",\"requestKey\":\"k-" + id + "\",\"result\":{\"status\":\""
                + status + "\"}}");
    }

    @Test
    void aRestartedOwnerFindsTheRunOfItsPromptFileWithEveryResultRecorded() throws IOException {
        ResultJournal journal = journalWith("OK");
        assertThat(journal.record(run, result("0002", "FAILED"))).isTrue();

        ResultJournal.Recovered recovered = new ResultJournal(state).recover("cats", source).orElseThrow();
        assertThat(recovered.runId()).isEqualTo(run);
        assertThat(recovered.results()).containsOnlyKeys("0001", "0002");
        assertThat(recovered.results().get("0002").path("result").path("status").asText()).isEqualTo("FAILED");
    }

    @Test
    void anotherBatchOrPromptFileDoesNotTakeTheRun() throws IOException {
        ResultJournal journal = journalWith();
        assertThat(journal.recover("cats", source)).isPresent();
        assertThat(journal.recover("dogs", source)).isEmpty();
        assertThat(journal.recover("cats", Path.of("inbox/cats.csv"))).isEmpty();
        assertThat(journal.recover("cats", Path.of("other-inbox/cats.txt"))).isEmpty();
    }

    @Test
    void theLatestResultOfAnItemCountsAndALineCutByAKillIsLeftOut() throws IOException {
        ResultJournal journal = journalWith("FAILED", "OK");
        Files.writeString(state.resolve(ResultJournal.DIRECTORY).resolve(run + ".jsonl"), "{\"id\":\"0002\",\"resu",
                StandardCharsets.UTF_8, StandardOpenOption.APPEND);

        ResultJournal.Recovered recovered = journal.recover("cats", source).orElseThrow();
        assertThat(recovered.results()).containsOnlyKeys("0001");
        assertThat(recovered.results().get("0001").path("result").path("status").asText()).isEqualTo("OK");
    }

    @Test
    void aRunThatIsNotRecordedHereOrIsNotARunIdWritesNothing() throws IOException {
        assertThat(new ResultJournal(state).record(run, result("0001", "OK"))).as("no run begun here").isFalse();
        ResultJournal journal = journalWith();
        assertThat(journal.record("../../escape", result("0001", "OK"))).isFalse();
        assertThat(journal.record(run.toUpperCase(), result("0001", "OK"))).as("not this bundle's spelling of a run id").isFalse();
        try (var files = Files.list(state.resolve(ResultJournal.DIRECTORY))) {
            assertThat(files.toList()).containsExactly(state.resolve(ResultJournal.DIRECTORY).resolve(run + ".jsonl"));
        }
        assertThat(Files.readAllLines(state.resolve(ResultJournal.DIRECTORY).resolve(run + ".jsonl"))).hasSize(1);
    }

    @Test
    void aCompletedRunLeavesNoRecord() throws IOException {
        ResultJournal journal = journalWith("OK");
        journal.end(run);
        assertThat(journal.recover("cats", source)).isEmpty();
        assertThat(journal.record(run, result("0002", "OK"))).as("a late result of a completed run").isFalse();
    }
}
