package io.github.geminiimagebatch.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;

/**
 * What the Batch API answers about jobs: the long-running operation with its stats and, for a finished job,
 * each request's response or error (a google.rpc.Status with the gRPC code, as batch results carry it).
 */
final class BatchOperations {

    static final String RESULTS_PREFIX = "batch-results-";
    private static final String BATCH_TYPE = "type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatch";
    private static final String OUTPUT_TYPE = "type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatchOutput";

    private final SimulatorOptions options;
    private final ObjectMapper json;
    private final AnswerBodies answers;

    BatchOperations(SimulatorOptions options, ObjectMapper json, AnswerBodies answers) {
        this.options = options;
        this.json = json;
        this.answers = answers;
    }

    /** The long-running operation for a job; with {@code withResults}, a finished inline job carries its responses. */
    ResponseWriter.Templated operation(BatchJob job, boolean withResults) {
        ObjectNode operation = json.createObjectNode();
        operation.put("name", job.name());
        ObjectNode metadata = operation.putObject("metadata");
        metadata.put("@type", BATCH_TYPE);
        metadata.put("model", "models/" + job.model);
        metadata.put("name", job.name());
        if (job.displayName != null) {
            metadata.put("displayName", job.displayName);
        }
        metadata.put("createTime", job.created.toString());
        metadata.put("updateTime", (job.ended == null ? job.created : job.ended).toString());
        if (job.ended != null) {
            metadata.put("endTime", job.ended.toString());
        }
        ObjectNode stats = metadata.putObject("batchStats");
        stats.put("requestCount", Integer.toString(job.items.size()));
        List<ResponseWriter.Templated> metadataResults = new ArrayList<>();
        List<ResponseWriter.Templated> responseResults = new ArrayList<>();
        if (job.state == BatchState.SUCCEEDED) {
            long failed = job.outcomes.stream().filter(outcome -> outcome != null).count()
                    + job.items.stream().filter(item -> item.request() == null).count();
            stats.put("successfulRequestCount", Long.toString(job.items.size() - failed));
            if (failed > 0) {
                stats.put("failedRequestCount", Long.toString(failed));
            }
            ObjectNode output = metadata.putObject("output");
            ObjectNode response = json.createObjectNode();
            response.put("@type", OUTPUT_TYPE);
            if (job.inlineInput) {
                if (withResults) {
                    int perAnswer = AnswerBodies.imagesPerAnswer();
                    ArrayNode inMetadata = output.putObject("inlinedResponses").putArray("inlinedResponses");
                    ArrayNode inResponse = response.putObject("inlinedResponses").putArray("inlinedResponses");
                    for (int i = 0; i < job.items.size(); i++) {
                        metadataResults.add(inlined(job, i, inMetadata, i * perAnswer));
                        responseResults.add(inlined(job, i, inResponse, (job.items.size() + i) * perAnswer));
                    }
                }
            } else {
                output.put("responsesFile", "files/" + RESULTS_PREFIX + job.id);
                response.put("responsesFile", "files/" + RESULTS_PREFIX + job.id);
            }
            metadata.put("state", job.state.wireName());
            operation.put("done", true);
            operation.set("response", response);
        } else {
            stats.put("pendingRequestCount", Integer.toString(job.state.terminal() ? 0 : job.items.size()));
            metadata.put("state", job.state.wireName());
            if (job.state.terminal()) {
                operation.put("done", true);
            }
            if (job.state == BatchState.FAILED) {
                operation.set("error", rpcStatus(GoogleErrors.internal()));
            }
        }
        List<ResponseWriter.ImageSpec> images = new ArrayList<>();
        metadataResults.forEach(result -> images.addAll(result.images()));
        responseResults.forEach(result -> images.addAll(result.images()));
        return new ResponseWriter.Templated(operation, images);
    }

    private ResponseWriter.Templated inlined(BatchJob job, int index, ArrayNode into, int imageBase) {
        ObjectNode entry = into.addObject();
        ResponseWriter.Templated result = result(job.items.get(index), job.outcomes.get(index), entry, imageBase);
        if (job.items.get(index).key() != null) {
            entry.putObject("metadata").put("key", job.items.get(index).key());
        }
        return result;
    }

    /** Puts one request's {@code response} or {@code error} into {@code target}; the images it needs stream in later. */
    ResponseWriter.Templated result(BatchJob.Item item, FaultKind fault, ObjectNode target, int imageBase) {
        if (item.request() == null) {
            target.set("error", item.rejection());
            return new ResponseWriter.Templated(target, List.of());
        }
        ImageFormat format = item.request().outputFormat().orElse(options.imageFormat());
        if (fault == null) {
            target.set("response", answers.successBody(Endpoint.AI_STUDIO, item.request(), format, imageBase));
            return new ResponseWriter.Templated(target, answers.images(item.request(), format, imageBase));
        }
        switch (fault) {
            case SAFETY, BLOCKED, PROHIBITED, NO_IMAGE, TEXT_ONLY ->
                    target.set("response", answers.geminiNoImage(Endpoint.AI_STUDIO, item.request(), fault));
            case BAD_REQUEST -> target.set("error", rpcStatus(GoogleErrors.invalidArgument("Request contains an invalid argument.")));
            case FORBIDDEN -> target.set("error", rpcStatus(GoogleErrors.error(403, "PERMISSION_DENIED",
                    "The caller does not have permission to generate this content.")));
            case RESOURCE_EXHAUSTED -> target.set("error", rpcStatus(GoogleErrors.bareQuota()));
            case UNAVAILABLE -> target.set("error", rpcStatus(GoogleErrors.overloaded()));
            default -> target.set("error", rpcStatus(GoogleErrors.internal()));
        }
        return new ResponseWriter.Templated(target, List.of());
    }

    static ObjectNode enqueuedQuotaExceeded(String model, long limit, long enqueued) {
        ObjectNode body = GoogleErrors.error(429, "RESOURCE_EXHAUSTED", "You exceeded your current quota for batch requests: "
                + enqueued + " requests are enqueued in unfinished batch jobs and the limit is " + limit
                + ". Wait for running batch jobs to finish, or send fewer requests per job. For more information on this error, head to: "
                + GoogleErrors.QUOTA_HELP_URL + ".");
        ObjectNode violation = GoogleErrors.details(body).addObject()
                .put("@type", "type.googleapis.com/google.rpc.QuotaFailure").putArray("violations").addObject();
        violation.put("quotaMetric", "generativelanguage.googleapis.com/batch_enqueued_requests");
        violation.put("quotaId", "BatchEnqueuedRequestsPerProjectPerModel");
        violation.putObject("quotaDimensions").put("model", model);
        violation.put("quotaValue", Long.toString(limit));
        return body;
    }

    /** A google.rpc.Status as batch results carry it: the gRPC code number, not the HTTP status. */
    static ObjectNode rpcStatus(ObjectNode envelope) {
        JsonNode error = envelope.get("error");
        ObjectNode status = envelope.objectNode();
        status.put("code", grpcCode(error.path("status").asText()));
        status.put("message", error.path("message").asText());
        if (error.has("details")) {
            status.set("details", error.get("details"));
        }
        return status;
    }

    private static int grpcCode(String status) {
        return switch (status) {
            case "INVALID_ARGUMENT" -> 3;
            case "DEADLINE_EXCEEDED" -> 4;
            case "NOT_FOUND" -> 5;
            case "PERMISSION_DENIED" -> 7;
            case "RESOURCE_EXHAUSTED" -> 8;
            case "FAILED_PRECONDITION" -> 9;
            case "UNAVAILABLE" -> 14;
            case "UNAUTHENTICATED" -> 16;
            default -> 13;
        };
    }

    static ObjectNode notFound() {
        return GoogleErrors.notFound("Requested entity was not found.");
    }
}
