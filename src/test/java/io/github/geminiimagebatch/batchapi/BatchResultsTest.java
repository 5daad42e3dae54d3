package io.github.geminiimagebatch.batchapi;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.geminiimagebatch.gemini.DecodedResponse;
import io.github.geminiimagebatch.gemini.Outcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Batch API answers read as streams: operations, inline results, results files, per-line errors. */
class BatchResultsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** A 1x1 PNG. */
    private static final String PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

    @TempDir
    Path tmp;

    private final Map<String, DecodedResponse> received = new LinkedHashMap<>();

    private static ByteArrayInputStream body(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String imageResponse() {
        return "{\"candidates\":[{\"content\":{\"parts\":[{\"inlineData\":{\"mimeType\":\"image/png\",\"data\":\"" + PNG
                + "\"}}]},\"finishReason\":\"STOP\"}],\"usageMetadata\":{\"candidatesTokenCount\":1290}}";
    }

    @Test
    void resultsFileLinesAreMatchedByKeyWhateverTheOrderOfLinesAndFields() throws IOException {
        String file = "{\"response\":" + imageResponse() + ",\"key\":\"k2\"}\n"
                + "{\"key\":\"k1\",\"error\":{\"code\":3,\"message\":\"Request contains an invalid argument.\"}}\n"
                + "{\"key\":\"k3\",\"response\":{\"candidates\":[{\"finishReason\":\"IMAGE_SAFETY\"}]}}\n";

        int lines = BatchResults.readResultsFile(body(file), tmp, received::put);

        assertThat(lines).isEqualTo(3);
        assertThat(received.keySet()).containsExactly("k2", "k1", "k3");
        DecodedResponse image = received.get("k2");
        assertThat(image.outcome()).isEqualTo(Outcome.IMAGE);
        assertThat(Files.readAllBytes(image.imageFile())).isEqualTo(Base64.getDecoder().decode(PNG));
        assertThat(image.width()).isEqualTo(1);
        DecodedResponse error = received.get("k1");
        assertThat(error.outcome()).isEqualTo(Outcome.ERROR_IN_BODY);
        assertThat(error.errorCode()).as("gRPC 3 is HTTP 400").isEqualTo(400);
        assertThat(JSON.readTree(error.errorBody()).at("/error/status").asText()).isEqualTo("INVALID_ARGUMENT");
        assertThat(received.get("k3").outcome()).isEqualTo(Outcome.BLOCKED);
    }

    @Test
    void grpcCodesInLineErrorsBecomeTheHttpStatusesAnInteractiveCallWouldHaveGot() {
        Map<Integer, Integer> expected = Map.of(3, 400, 4, 504, 5, 404, 7, 403, 8, 429, 13, 500, 14, 503, 16, 401, 2, 500, 503, 503);
        expected.forEach((code, http) -> assertThat(BatchResults.itemError(JSON.createObjectNode().put("code", code).put("message", "m"))
                .errorCode()).as("code " + code).isEqualTo(http));
        assertThat(BatchResults.itemError(JSON.createObjectNode()).message()).contains("without a message");
    }

    @Test
    void anOperationGivesItsStateAndReadsOnlyTheFirstCopyOfItsInlineResults() throws IOException {
        String entries = "[{\"response\":" + imageResponse() + ",\"metadata\":{\"key\":\"a\"}},"
                + "{\"metadata\":{\"key\":\"b\"},\"error\":{\"code\":13,\"message\":\"internal\"}}]";
        String operation = "{\"name\":\"batches/x1\",\"metadata\":{\"@type\":\"t\",\"displayName\":\"gib-2-abc\",\"state\":\"BATCH_STATE_SUCCEEDED\","
                + "\"output\":{\"inlinedResponses\":{\"inlinedResponses\":" + entries + "}}},"
                + "\"done\":true,\"response\":{\"@type\":\"t\",\"inlinedResponses\":{\"inlinedResponses\":" + entries + "}}}";

        BatchResults.Operation read = BatchResults.readOperation(body(operation), tmp, received::put);

        assertThat(read.name()).isEqualTo("batches/x1");
        assertThat(read.displayName()).isEqualTo("gib-2-abc");
        assertThat(read.state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(read.done()).isTrue();
        assertThat(read.inlineResults()).isEqualTo(2);
        assertThat(received).hasSize(2);
        assertThat(received.get("b").errorCode()).isEqualTo(500);
        try (Stream<Path> images = Files.list(tmp)) {
            assertThat(images.count()).as("the second copy is skipped, not decoded").isEqualTo(1);
        }
    }

    @Test
    void statesAreReadInBothSpellingsAndAFileJobNamesItsResults() throws IOException {
        BatchResults.Operation running = BatchResults.readOperation(body("{\"name\":\"batches/r\",\"metadata\":{\"state\":\"JOB_STATE_RUNNING\"}}"),
                tmp, received::put);
        assertThat(running.state()).isEqualTo(JobState.RUNNING);
        assertThat(running.done()).isFalse();
        BatchResults.Operation file = BatchResults.readOperation(body("{\"name\":\"batches/f\",\"done\":true,\"metadata\":{\"state\":"
                + "\"BATCH_STATE_SUCCEEDED\"},\"response\":{\"responsesFile\":\"files/out-1\"}}"), tmp, received::put);
        assertThat(file.responsesFile()).isEqualTo("files/out-1");
        BatchResults.Operation expired = BatchResults.readOperation(body("{\"name\":\"batches/e\",\"done\":true,\"metadata\":{\"state\":"
                + "\"BATCH_STATE_EXPIRED\"}}"), tmp, received::put);
        assertThat(expired.state()).isEqualTo(JobState.EXPIRED);
        assertThat(expired.state().pendingReason()).isEqualTo("batch_expired");
        assertThat(JobState.parse("something new")).isEqualTo(JobState.UNKNOWN);
        assertThat(received).isEmpty();
    }

    @Test
    void aListPageGivesNamesDisplayNamesAndTheNextPageToken() throws IOException {
        String[] next = {null};
        List<BatchResults.Operation> page = BatchResults.readList(body("{\"operations\":[{\"name\":\"batches/1\",\"metadata\":"
                + "{\"displayName\":\"gib-1-aa\",\"state\":\"BATCH_STATE_PENDING\"}},{\"name\":\"batches/2\",\"metadata\":{\"displayName\":"
                + "\"other\",\"state\":\"BATCH_STATE_SUCCEEDED\"}}],\"nextPageToken\":\"p2\"}"), next);

        assertThat(page).extracting(BatchResults.Operation::displayName).containsExactly("gib-1-aa", "other");
        assertThat(next[0]).isEqualTo("p2");
    }

    @Test
    void linesWithoutKeyAreDroppedAndABrokenFileFailsWithoutLeavingImages() throws IOException {
        BatchResults.readResultsFile(body("{\"response\":" + imageResponse() + "}\n"), tmp, received::put);
        assertThat(received).isEmpty();
        try (Stream<Path> images = Files.list(tmp)) {
            assertThat(images.count()).as("the keyless line's image is deleted").isZero();
        }
        assertThatThrownBy(() -> BatchResults.readResultsFile(body("{\"key\":\"k\",\"response\":" + imageResponse().substring(0, 120)),
                tmp, received::put)).isInstanceOf(IOException.class);
        try (Stream<Path> images = Files.list(tmp)) {
            assertThat(images.count()).isZero();
        }
    }

    @Test
    void theDisplayNameDependsOnlyOnTheSetOfKeys() {
        String name = ProviderBatches.displayName(List.of("a", "b", "c"));
        assertThat(name).startsWith("gib-3-").hasSize("gib-3-".length() + 24);
        assertThat(ProviderBatches.displayName(List.of("a", "b", "c"))).isEqualTo(name);
        assertThat(ProviderBatches.displayName(List.of("a", "b", "d"))).isNotEqualTo(name);
    }
}
