package io.github.geminiimagebatch.simulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import io.github.geminiimagebatch.model.ModelCatalog;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Google's Batch API and the parts of the Files API it needs: create (inline requests or an uploaded JSONL
 * file), get, list, cancel and delete jobs, resumable uploads and result downloads. A job is PENDING for the
 * first half of the turnaround and RUNNING for the second; then it ends SUCCEEDED, or FAILED / EXPIRED when a
 * {@code --batch-faults} draw says so. Each request's outcome follows the same {@code [sim:...]} markers and
 * fault rates as interactive calls, decided when the job ends. Results are inline for inline input and a
 * JSONL file (in an order other than the input's, as Google does not promise it) for file input.
 */
final class BatchService {

    private static final Pattern CREATE_PATH = Pattern.compile("/(?:v1beta|v1alpha)/models/([^/:]+):batchGenerateContent");
    private static final Pattern JOB_PATH = Pattern.compile("/(?:v1beta|v1alpha)/batches/([A-Za-z0-9_-]+)(:cancel)?");
    private static final Pattern LIST_PATH = Pattern.compile("/(?:v1beta|v1alpha)/batches");
    private static final Pattern UPLOAD_PATH = Pattern.compile("/upload/(?:v1beta|v1alpha)/files");
    private static final Pattern DOWNLOAD_PATH = Pattern.compile("(?:/download)?/(?:v1beta|v1alpha)/files/([A-Za-z0-9_-]+):download");
    private static final String BATCH_TYPE = "type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatch";
    private static final String OUTPUT_TYPE = "type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatchOutput";
    private static final String RESULTS_PREFIX = "batch-results-";
    private static final int DEFAULT_PAGE_SIZE = 50;
    private static final int MAX_PAGE_SIZE = 1000;

    private final SimulatorOptions options;
    private final ObjectMapper json;
    private final ResponseWriter writer;
    private final AnswerBodies answers;
    private final FaultPlan faults;
    private final Function<HttpExchange, Optional<ObjectNode>> authFailure;
    private final Random jobFaultDraws;
    private final Map<String, Job> jobs = new LinkedHashMap<>();
    private final Map<String, byte[]> files = new ConcurrentHashMap<>();
    private final Map<String, ByteArrayOutputStream> uploads = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final LongAdder created = new LongAdder();
    private final LongAdder requests = new LongAdder();
    private final LongAdder imagesBilled = new LongAdder();
    private final LongAdder filesUploaded = new LongAdder();

    BatchService(SimulatorOptions options, ObjectMapper json, ResponseWriter writer, AnswerBodies answers, FaultPlan faults,
                 Function<HttpExchange, Optional<ObjectNode>> authFailure) {
        this.options = options;
        this.json = json;
        this.writer = writer;
        this.answers = answers;
        this.faults = faults;
        this.authFailure = authFailure;
        this.jobFaultDraws = new Random(options.seed());
    }

    /** The endpoint a path belongs to, if this service serves it. */
    static Optional<Endpoint> endpointFor(String path) {
        if (CREATE_PATH.matcher(path).matches() || JOB_PATH.matcher(path).matches() || LIST_PATH.matcher(path).matches()) {
            return Optional.of(Endpoint.BATCH);
        }
        if (UPLOAD_PATH.matcher(path).matches() || DOWNLOAD_PATH.matcher(path).matches()) {
            return Optional.of(Endpoint.FILES);
        }
        return Optional.empty();
    }

    void serve(HttpExchange exchange, String method, String path, URI baseUri) throws IOException {
        if (UPLOAD_PATH.matcher(path).matches() && "POST".equals(method)) {
            serveUpload(exchange, baseUri);
            return;
        }
        byte[] body = readBody(exchange);
        Optional<ObjectNode> refused = authFailure.apply(exchange);
        if (refused.isPresent()) {
            writer.json(exchange, refused.get().get("error").get("code").asInt(), refused.get());
            return;
        }
        Matcher create = CREATE_PATH.matcher(path);
        Matcher job = JOB_PATH.matcher(path);
        Matcher download = DOWNLOAD_PATH.matcher(path);
        if (create.matches() && "POST".equals(method)) {
            serveCreate(exchange, create.group(1), body);
        } else if (LIST_PATH.matcher(path).matches() && "GET".equals(method)) {
            serveList(exchange);
        } else if (job.matches() && job.group(2) != null && "POST".equals(method)) {
            serveCancel(exchange, job.group(1));
        } else if (job.matches() && job.group(2) == null && "GET".equals(method)) {
            serveGet(exchange, job.group(1));
        } else if (job.matches() && job.group(2) == null && "DELETE".equals(method)) {
            serveDelete(exchange, job.group(1));
        } else if (download.matches() && "GET".equals(method)) {
            serveDownload(exchange, download.group(1));
        } else {
            writer.json(exchange, 404, GoogleErrors.notFound("Method " + method + " is not served at " + path + "."));
        }
    }

    /** batches: {created, byState, requests, imagesBilled} and filesUploaded, for /sim/stats. */
    void addStats(ObjectNode root) {
        ObjectNode batches = root.putObject("batches");
        batches.put("created", created.sum());
        ObjectNode byState = batches.putObject("byState");
        Map<BatchState, Integer> counts = new LinkedHashMap<>();
        for (BatchState state : BatchState.values()) {
            counts.put(state, 0);
        }
        synchronized (this) {
            Instant now = options.clock().instant();
            for (Job job : jobs.values()) {
                refresh(job, now);
                counts.merge(job.state, 1, Integer::sum);
            }
        }
        counts.forEach((state, count) -> byState.put(state.statsName(), count));
        batches.put("requests", requests.sum());
        batches.put("imagesBilled", imagesBilled.sum());
        root.put("filesUploaded", filesUploaded.sum());
    }

    synchronized void reset() {
        jobs.clear();
        files.clear();
        uploads.clear();
        created.reset();
        requests.reset();
        imagesBilled.reset();
        filesUploaded.reset();
    }

    private void serveCreate(HttpExchange exchange, String pathModel, byte[] body) throws IOException {
        String model = ModelCatalog.normalise(pathModel);
        if (!options.models().contains(model)) {
            writer.json(exchange, 404, GoogleErrors.notFound("models/" + pathModel + " is not found for API version v1beta,"
                    + " or is not supported for batchGenerateContent."));
            return;
        }
        JsonNode root;
        try {
            root = json.readTree(body);
        } catch (JsonProcessingException e) {
            writer.json(exchange, 400, GoogleErrors.invalidArgument("Invalid JSON payload received."));
            return;
        }
        JsonNode batch = root == null ? json.missingNode() : field(root, "batch", "batch");
        JsonNode input = field(batch, "inputConfig", "input_config");
        String fileName = text(field(input, "fileName", "file_name"));
        JsonNode inline = field(field(input, "requests", "requests"), "requests", "requests");
        List<Item> items = new ArrayList<>();
        if (fileName != null) {
            byte[] file = files.get(fileName.startsWith("files/") ? fileName.substring("files/".length()) : fileName);
            if (file == null) {
                writer.json(exchange, 404, GoogleErrors.notFound("File " + fileName + " was not found; upload it first."));
                return;
            }
            try {
                readFileItems(file, model, items);
            } catch (JsonProcessingException e) {
                writer.json(exchange, 400, GoogleErrors.invalidArgument("The input file " + fileName + " has a line that is not JSON (line "
                        + (items.size() + 1) + ")."));
                return;
            }
        } else if (inline.isArray()) {
            for (JsonNode entry : inline) {
                items.add(item(text(field(entry, "metadata", "metadata").path("key")), entry.path("request"), model));
            }
        } else {
            writer.json(exchange, 400, GoogleErrors.invalidArgument("* BatchGenerateContentRequest.batch.input_config: set requests or file_name\n"));
            return;
        }
        if (items.isEmpty()) {
            writer.json(exchange, 400, GoogleErrors.invalidArgument("* BatchGenerateContentRequest.batch.input_config: the batch has no requests\n"));
            return;
        }
        Job job;
        synchronized (this) {
            Instant now = options.clock().instant();
            long enqueued = 0;
            for (Job other : jobs.values()) {
                refresh(other, now);
                enqueued += other.state.terminal() ? 0 : other.items.size();
            }
            long limit = options.batchMaxEnqueued();
            if (limit != QuotaLimits.UNLIMITED && enqueued + items.size() > limit) {
                writer.json(exchange, 429, enqueuedQuotaExceeded(model, limit, enqueued));
                return;
            }
            String id = "sim" + Long.toString(now.toEpochMilli(), 36) + Long.toString(ids.incrementAndGet(), 36);
            job = new Job(id, text(field(batch, "displayName", "display_name")), model, now, List.copyOf(items), fileName == null,
                    drawJobFault());
            jobs.put(id, job);
            created.increment();
            requests.add(items.size());
        }
        writer.json(exchange, 200, operation(job, false).template());
    }

    private void readFileItems(byte[] file, String model, List<Item> items) throws IOException {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(new ByteArrayInputStream(file), StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                if (!line.isBlank()) {
                    JsonNode entry = json.readTree(line);
                    items.add(item(text(entry.path("key")), entry.path("request"), model));
                }
            }
        }
    }

    private Item item(String key, JsonNode request, String model) {
        try {
            return new Item(key, GenerationRequest.fromGemini(request, model), null);
        } catch (GenerationRequest.Rejection rejection) {
            return new Item(key, null, rpcStatus(GoogleErrors.error(rejection.httpStatus, rejection.status, rejection.getMessage())));
        }
    }

    private synchronized BatchJobFault drawJobFault() {
        double roll = jobFaultDraws.nextDouble();
        double cumulative = 0;
        for (Map.Entry<BatchJobFault, Double> rate : options.batchFaultRates().entrySet()) {
            cumulative += rate.getValue();
            if (roll < cumulative) {
                return rate.getKey();
            }
        }
        return null;
    }

    private void serveGet(HttpExchange exchange, String id) throws IOException {
        Job job = refreshed(id);
        if (job == null) {
            writer.json(exchange, 404, notFound());
            return;
        }
        ResponseWriter.Templated operation = operation(job, true);
        writer.withImages(exchange, operation.template(), operation.images());
    }

    private void serveList(HttpExchange exchange) throws IOException {
        Map<String, String> query = query(exchange);
        int pageSize = DEFAULT_PAGE_SIZE;
        int from = 0;
        try {
            if (query.containsKey("pageSize")) {
                pageSize = Math.max(1, Math.min(MAX_PAGE_SIZE, Integer.parseInt(query.get("pageSize"))));
            }
            if (query.containsKey("pageToken") && !query.get("pageToken").isEmpty()) {
                from = Integer.parseInt(query.get("pageToken"));
            }
        } catch (NumberFormatException e) {
            writer.json(exchange, 400, GoogleErrors.invalidArgument("pageSize and pageToken must be numbers."));
            return;
        }
        List<Job> page;
        boolean more;
        synchronized (this) {
            Instant now = options.clock().instant();
            List<Job> all = new ArrayList<>(jobs.values());
            Collections.reverse(all);
            all.forEach(job -> refresh(job, now));
            page = all.subList(Math.min(from, all.size()), Math.min(from + pageSize, all.size()));
            page = List.copyOf(page);
            more = from + pageSize < all.size();
        }
        ObjectNode body = json.createObjectNode();
        ArrayNode operations = body.putArray("operations");
        page.forEach(job -> operations.add(operation(job, false).template()));
        if (more) {
            body.put("nextPageToken", Integer.toString(from + pageSize));
        }
        writer.json(exchange, 200, body);
    }

    private void serveCancel(HttpExchange exchange, String id) throws IOException {
        synchronized (this) {
            Job job = refreshed(id);
            if (job == null) {
                writer.json(exchange, 404, notFound());
                return;
            }
            if (!job.state.terminal()) {
                job.state = BatchState.CANCELLED;
                job.ended = options.clock().instant();
            }
        }
        writer.json(exchange, 200, json.createObjectNode());
    }

    private void serveDelete(HttpExchange exchange, String id) throws IOException {
        Job removed;
        synchronized (this) {
            removed = jobs.remove(id);
        }
        writer.json(exchange, removed == null ? 404 : 200, removed == null ? notFound() : json.createObjectNode());
    }

    private void serveDownload(HttpExchange exchange, String fileId) throws IOException {
        if (fileId.startsWith(RESULTS_PREFIX)) {
            Job job = refreshed(fileId.substring(RESULTS_PREFIX.length()));
            if (job == null || job.inlineInput || job.state != BatchState.SUCCEEDED) {
                writer.json(exchange, 404, GoogleErrors.notFound("File files/" + fileId + " was not found."));
                return;
            }
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < job.items.size(); i++) {
                order.add(i);
            }
            // Google does not keep the input order in results files: callers must match lines by key.
            Collections.shuffle(order, new Random(job.id.hashCode()));
            List<ResponseWriter.Templated> lines = new ArrayList<>();
            for (int i : order) {
                ObjectNode line = json.createObjectNode();
                if (job.items.get(i).key() != null) {
                    line.put("key", job.items.get(i).key());
                }
                lines.add(result(job.items.get(i), job.outcomes.get(i), line, 0));
            }
            writer.jsonLines(exchange, "application/octet-stream", lines);
            return;
        }
        byte[] file = files.get(fileId);
        if (file == null) {
            writer.json(exchange, 404, GoogleErrors.notFound("File files/" + fileId + " was not found."));
            return;
        }
        writer.bytes(exchange, 200, "application/octet-stream", file);
    }

    /** The resumable protocol: "start" answers an upload URL; "upload" appends; "finalize" makes the file. */
    private void serveUpload(HttpExchange exchange, URI baseUri) throws IOException {
        Map<String, String> query = query(exchange);
        String command = String.valueOf(exchange.getRequestHeaders().getFirst("X-Goog-Upload-Command")).toLowerCase(Locale.ROOT);
        String uploadId = query.get("upload_id");
        if (uploadId == null) {
            byte[] body = readBody(exchange);
            Optional<ObjectNode> refused = authFailure.apply(exchange);
            if (refused.isPresent()) {
                writer.json(exchange, refused.get().get("error").get("code").asInt(), refused.get());
                return;
            }
            if (!"resumable".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("X-Goog-Upload-Protocol")) || !command.contains("start")) {
                writer.json(exchange, 400, GoogleErrors.invalidArgument("Use the resumable upload protocol: X-Goog-Upload-Protocol: resumable"
                        + " and X-Goog-Upload-Command: start, then send the bytes to the x-goog-upload-url."));
                return;
            }
            String id = "up" + Long.toString(options.clock().millis(), 36) + Long.toString(ids.incrementAndGet(), 36);
            uploads.put(id, new ByteArrayOutputStream());
            String displayName = body.length == 0 ? null : text(json.readTree(body).path("file").path("displayName"));
            exchange.getResponseHeaders().set("X-Goog-Upload-URL", baseUri + "/upload/v1beta/files?upload_id=" + id + "&upload_protocol=resumable");
            exchange.getResponseHeaders().set("X-Goog-Upload-Status", "active");
            exchange.getResponseHeaders().set("X-Goog-Upload-Chunk-Granularity", "8388608");
            if (displayName != null) {
                exchange.getResponseHeaders().set("X-Goog-Upload-Header-Display-Name", displayName);
            }
            writer.bytes(exchange, 200, "text/plain; charset=utf-8", new byte[0]);
            return;
        }
        ByteArrayOutputStream upload = uploads.get(uploadId);
        if (upload == null) {
            writer.json(exchange, 404, GoogleErrors.notFound("No upload with id " + uploadId + " is open; start a new upload."));
            return;
        }
        String offsetHeader = exchange.getRequestHeaders().getFirst("X-Goog-Upload-Offset");
        synchronized (upload) {
            if (offsetHeader != null && Long.parseLong(offsetHeader.trim()) != upload.size()) {
                readBody(exchange);
                writer.json(exchange, 400, GoogleErrors.invalidArgument("X-Goog-Upload-Offset " + offsetHeader + " does not match the "
                        + upload.size() + " bytes received so far."));
                return;
            }
            try (InputStream in = exchange.getRequestBody()) {
                in.transferTo(upload);
            }
        }
        if (!command.contains("finalize")) {
            exchange.getResponseHeaders().set("X-Goog-Upload-Status", "active");
            writer.bytes(exchange, 200, "text/plain; charset=utf-8", new byte[0]);
            return;
        }
        uploads.remove(uploadId);
        byte[] bytes = upload.toByteArray();
        String fileId = "f" + uploadId;
        files.put(fileId, bytes);
        filesUploaded.increment();
        Instant now = options.clock().instant();
        ObjectNode body = json.createObjectNode();
        ObjectNode file = body.putObject("file");
        file.put("name", "files/" + fileId);
        file.put("mimeType", "application/jsonl");
        file.put("sizeBytes", Long.toString(bytes.length));
        file.put("createTime", now.toString());
        file.put("updateTime", now.toString());
        file.put("expirationTime", now.plus(Duration.ofHours(48)).toString());
        file.put("uri", baseUri + "/v1beta/files/" + fileId);
        file.put("state", "ACTIVE");
        file.put("source", "UPLOADED");
        exchange.getResponseHeaders().set("X-Goog-Upload-Status", "final");
        writer.json(exchange, 200, body);
    }

    private synchronized Job refreshed(String id) {
        Job job = jobs.get(id);
        if (job != null) {
            refresh(job, options.clock().instant());
        }
        return job;
    }

    /** Moves a job along its timeline; when it succeeds, every request's outcome is decided and billed once. */
    private void refresh(Job job, Instant now) {
        if (job.state.terminal()) {
            return;
        }
        Duration turnaround = options.batchTurnaround();
        Instant ends = job.created.plus(turnaround);
        if (now.isBefore(ends)) {
            job.state = now.isBefore(job.created.plus(turnaround.dividedBy(2))) ? BatchState.PENDING : BatchState.RUNNING;
            return;
        }
        job.ended = ends;
        if (job.fault != null) {
            job.state = job.fault.endState();
            return;
        }
        List<FaultKind> outcomes = new ArrayList<>(job.items.size());
        for (Item item : job.items) {
            FaultKind fault = null;
            if (item.request() != null) {
                fault = faults.upFrontFault(item.request().prompt()).or(() -> faults.decide(item.request().prompt())).orElse(null);
                if (fault == null) {
                    imagesBilled.increment();
                }
            }
            outcomes.add(fault);
        }
        job.outcomes = outcomes;
        job.state = BatchState.SUCCEEDED;
    }

    /** The long-running operation for a job; with {@code withResults}, a finished inline job carries its responses. */
    private ResponseWriter.Templated operation(Job job, boolean withResults) {
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

    private ResponseWriter.Templated inlined(Job job, int index, ArrayNode into, int imageBase) {
        ObjectNode entry = into.addObject();
        ResponseWriter.Templated result = result(job.items.get(index), job.outcomes.get(index), entry, imageBase);
        if (job.items.get(index).key() != null) {
            entry.putObject("metadata").put("key", job.items.get(index).key());
        }
        return result;
    }

    /** Puts one request's {@code response} or {@code error} into {@code target}; the images it needs stream in later. */
    private ResponseWriter.Templated result(Item item, FaultKind fault, ObjectNode target, int imageBase) {
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

    private static ObjectNode enqueuedQuotaExceeded(String model, long limit, long enqueued) {
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

    private static ObjectNode notFound() {
        return GoogleErrors.notFound("Requested entity was not found.");
    }

    private static JsonNode field(JsonNode node, String camelName, String snakeName) {
        JsonNode value = node.path(camelName);
        return value.isMissingNode() ? node.path(snakeName) : value;
    }

    private static String text(JsonNode node) {
        return node.isTextual() ? node.asText() : null;
    }

    private static Map<String, String> query(HttpExchange exchange) {
        Map<String, String> fields = new LinkedHashMap<>();
        String raw = exchange.getRequestURI().getQuery();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int equals = pair.indexOf('=');
                if (equals > 0) {
                    fields.put(pair.substring(0, equals), pair.substring(equals + 1));
                }
            }
        }
        return fields;
    }

    private static byte[] readBody(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            return in.readAllBytes();
        }
    }

    /** One request of a job: its key, and what it asks for or why Google would refuse it. */
    private record Item(String key, GenerationRequest request, ObjectNode rejection) {
    }

    /** A job's mutable state is guarded by the service's lock; its items and, once set, outcomes never change. */
    private static final class Job {
        final String id;
        final String displayName;
        final String model;
        final Instant created;
        final List<Item> items;
        final boolean inlineInput;
        final BatchJobFault fault;
        volatile BatchState state = BatchState.PENDING;
        volatile Instant ended;
        volatile List<FaultKind> outcomes;

        Job(String id, String displayName, String model, Instant created, List<Item> items, boolean inlineInput, BatchJobFault fault) {
            this.id = id;
            this.displayName = displayName;
            this.model = model;
            this.created = created;
            this.items = items;
            this.inlineInput = inlineInput;
            this.fault = fault;
        }

        String name() {
            return "batches/" + id;
        }
    }
}
