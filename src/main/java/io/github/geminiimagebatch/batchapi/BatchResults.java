package io.github.geminiimagebatch.batchapi;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.geminiimagebatch.gemini.DecodedResponse;
import io.github.geminiimagebatch.gemini.JsonWalk;
import io.github.geminiimagebatch.gemini.Outcome;
import io.github.geminiimagebatch.gemini.ResponseDecoder;
import io.github.geminiimagebatch.gemini.Usage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads Batch API answers in one streaming pass: a job's operation (state, and for a small job its inline
 * responses) and a results file (JSONL, one {@code {"key", "response"|"error"}} per line, in any order and with
 * fields in any order). Each image goes straight to a temp file, so memory does not grow with the job.
 */
final class BatchResults {

    private static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder().disable(StreamReadFeature.AUTO_CLOSE_SOURCE).build());

    /** Receives each request's result; the image file (if any) is the receiver's to move or delete. */
    @FunctionalInterface
    interface Receiver {
        void accept(String key, DecodedResponse result) throws IOException;
    }

    /** What an operation says about its job. */
    record Operation(String name, String displayName, JobState state, boolean done, String responsesFile, String error,
                     int inlineResults) {
    }

    private BatchResults() {
    }

    /** Reads a job (GET batches/{id}); inline results go to {@code receiver} as they are read. */
    static Operation readOperation(InputStream body, Path tempDir, Receiver receiver) throws IOException {
        try (JsonParser json = MAPPER.createParser(body)) {
            if (json.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("The batch job answer is not a JSON object; check the provider's baseUrl.");
            }
            return readOperation(json, tempDir, receiver);
        }
    }

    /** Reads a list page (GET batches): each operation's name, displayName and state. */
    static java.util.List<Operation> readList(InputStream body, String[] nextPageToken) throws IOException {
        java.util.List<Operation> operations = new java.util.ArrayList<>();
        try (JsonParser json = MAPPER.createParser(body)) {
            if (json.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("The batch list answer is not a JSON object; check the provider's baseUrl.");
            }
            while (json.nextToken() == JsonToken.FIELD_NAME) {
                String field = json.currentName();
                JsonToken value = json.nextToken();
                if ((field.equals("operations") || field.equals("batches")) && value == JsonToken.START_ARRAY) {
                    while (json.nextToken() == JsonToken.START_OBJECT) {
                        operations.add(readOperation(json, null, null));
                    }
                } else if (field.equals("nextPageToken")) {
                    nextPageToken[0] = json.getValueAsString();
                } else {
                    json.skipChildren();
                }
            }
        }
        return operations;
    }

    /** Reads a results file (JSONL) and passes every line's result on. */
    static int readResultsFile(InputStream body, Path tempDir, Receiver receiver) throws IOException {
        int lines = 0;
        try (JsonParser json = MAPPER.createParser(body)) {
            JsonToken token;
            while ((token = json.nextToken()) != null) {
                if (token != JsonToken.START_OBJECT) {
                    throw new IOException("A line of the batch results file is not a JSON object (near byte "
                            + json.currentTokenLocation().getByteOffset() + ").");
                }
                readEntry(json, tempDir, receiver);
                lines++;
            }
        }
        return lines;
    }

    private static Operation readOperation(JsonParser json, Path tempDir, Receiver receiver) throws IOException {
        String name = null;
        String[] displayName = {null};
        String[] state = {null};
        String[] responsesFile = {null};
        boolean done = false;
        String error = null;
        int[] inline = {0};
        while (json.nextToken() == JsonToken.FIELD_NAME) {
            String field = json.currentName();
            json.nextToken();
            switch (field) {
                case "name" -> name = json.getValueAsString();
                case "done" -> done = json.getValueAsBoolean();
                case "error" -> error = errorText(json.readValueAsTree());
                case "metadata" -> JsonWalk.forEachField(json, (metadataField) -> {
                    switch (metadataField) {
                        case "state" -> state[0] = json.getValueAsString();
                        case "displayName" -> displayName[0] = json.getValueAsString();
                        case "output" -> readOutput(json, tempDir, receiver, responsesFile, inline);
                        default -> json.skipChildren();
                    }
                });
                case "response" -> readOutput(json, tempDir, receiver, responsesFile, inline);
                // An SDK-shaped job (batchJob) carries the same fields at the top level.
                case "state" -> state[0] = json.getValueAsString();
                case "displayName" -> displayName[0] = json.getValueAsString();
                default -> json.skipChildren();
            }
        }
        return new Operation(name, displayName[0], JobState.parse(state[0]), done, responsesFile[0], error, inline[0]);
    }

    /** {@code output} (in metadata) or {@code response}: the same results can come in both; only the first copy is read. */
    private static void readOutput(JsonParser json, Path tempDir, Receiver receiver, String[] responsesFile, int[] inline) throws IOException {
        JsonWalk.forEachField(json, field -> {
            switch (field) {
                case "responsesFile" -> responsesFile[0] = json.getValueAsString();
                case "inlinedResponses" -> JsonWalk.forEachField(json, inner -> {
                    if (inner.equals("inlinedResponses") && json.currentToken() == JsonToken.START_ARRAY && receiver != null && inline[0] == 0) {
                        while (json.nextToken() == JsonToken.START_OBJECT) {
                            readEntry(json, tempDir, receiver);
                            inline[0]++;
                        }
                    } else {
                        json.skipChildren();
                    }
                });
                default -> json.skipChildren();
            }
        });
    }

    /** One result: {@code key} or {@code metadata.key}, and {@code response} or {@code error}, in any order. */
    private static void readEntry(JsonParser json, Path tempDir, Receiver receiver) throws IOException {
        String key = null;
        DecodedResponse result = null;
        try {
            while (json.nextToken() == JsonToken.FIELD_NAME) {
                String field = json.currentName();
                json.nextToken();
                switch (field) {
                    case "key" -> key = json.getValueAsString();
                    case "metadata" -> {
                        JsonNode metadata = json.readValueAsTree();
                        if (metadata != null && metadata.path("key").isTextual()) {
                            key = metadata.path("key").asText();
                        }
                    }
                    case "response" -> {
                        discard(result);
                        result = json.currentToken() == JsonToken.START_OBJECT ? ResponseDecoder.geminiObject(json, Files.createDirectories(tempDir)) : null;
                        if (result == null) {
                            json.skipChildren();
                        }
                    }
                    case "error" -> {
                        discard(result);
                        result = itemError(json.readValueAsTree());
                    }
                    default -> json.skipChildren();
                }
            }
        } catch (IOException | RuntimeException e) {
            discard(result);
            throw e;
        }
        if (key == null || result == null) {
            discard(result);
            return;
        }
        receiver.accept(key, result);
    }

    /**
     * A request's error inside a job is a google.rpc.Status: a gRPC code number and a message. It becomes the same
     * error a generateContent call would have answered (HTTP status and Google's envelope), so it is classified the
     * same way: a bad request fails the item, a server error is retried.
     */
    static DecodedResponse itemError(JsonNode status) {
        ObjectNode error = MAPPER.createObjectNode();
        int code = status == null ? 13 : status.path("code").asInt(13);
        int http = code >= 100 ? code : httpStatus(code);
        error.put("code", http);
        String message = status == null ? "" : status.path("message").asText("");
        error.put("message", message.isEmpty() ? "The batch job reported an error for this request without a message." : message);
        error.put("status", status != null && status.path("status").isTextual() ? status.path("status").asText() : grpcName(code >= 100 ? grpcCode(http) : code));
        if (status != null && status.has("details")) {
            error.set("details", status.get("details"));
        }
        String envelope = MAPPER.createObjectNode().set("error", error).toString();
        return new DecodedResponse(Outcome.ERROR_IN_BODY, null, null, 0, null, null, null, null, "provider_error",
                error.path("message").asText(), Usage.NONE, null, null, http, envelope);
    }

    private static int httpStatus(int grpc) {
        return switch (grpc) {
            case 3, 9, 11 -> 400;
            case 4 -> 504;
            case 5 -> 404;
            case 7 -> 403;
            case 8 -> 429;
            case 14 -> 503;
            case 16 -> 401;
            default -> 500;
        };
    }

    private static int grpcCode(int http) {
        return switch (http) {
            case 400 -> 3;
            case 401 -> 16;
            case 403 -> 7;
            case 404 -> 5;
            case 429 -> 8;
            case 503 -> 14;
            case 504 -> 4;
            default -> 13;
        };
    }

    private static String grpcName(int grpc) {
        return switch (grpc) {
            case 3 -> "INVALID_ARGUMENT";
            case 4 -> "DEADLINE_EXCEEDED";
            case 5 -> "NOT_FOUND";
            case 7 -> "PERMISSION_DENIED";
            case 8 -> "RESOURCE_EXHAUSTED";
            case 9 -> "FAILED_PRECONDITION";
            case 14 -> "UNAVAILABLE";
            case 16 -> "UNAUTHENTICATED";
            default -> "INTERNAL";
        };
    }

    private static String errorText(JsonNode error) {
        if (error == null) {
            return null;
        }
        String message = error.path("message").asText("");
        return message.isEmpty() ? "error code " + error.path("code").asText("?") : message;
    }

    static void discard(DecodedResponse result) {
        if (result != null && result.imageFile() != null) {
            try {
                Files.deleteIfExists(result.imageFile());
            } catch (IOException ignored) {
                // a stale temporary file in outbox/.tmp is cleared at start-up
            }
        }
    }
}
