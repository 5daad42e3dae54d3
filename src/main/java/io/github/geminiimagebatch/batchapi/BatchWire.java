package io.github.geminiimagebatch.batchapi;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.geminiimagebatch.config.ProviderSettings;
import io.github.geminiimagebatch.config.ProviderType;
import io.github.geminiimagebatch.secret.Secrets;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The Batch API and Files API calls of one provider, over HTTP: create a job (inline body or uploaded file),
 * read it, list jobs, upload with the resumable protocol and download results. The key travels in a header,
 * never in a URL; error texts are redacted before they leave this class.
 */
final class BatchWire {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ProviderSettings provider;
    private final HttpClient http;
    private final Duration timeout;
    private final Path tempDir;

    BatchWire(ProviderSettings provider, Duration connectTimeout, Duration timeout, Path tempDir) {
        this.provider = provider;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(connectTimeout).build();
        this.timeout = timeout;
        this.tempDir = tempDir;
    }

    /** A non-2xx answer: its status and (redacted) body, for the classifier and the log. */
    static final class HttpFailure extends IOException {
        final int status;
        final String body;

        HttpFailure(int status, String body, String what) {
            super(what + " answered HTTP " + status + ": " + Secrets.redact(abbreviate(body)), null);
            this.status = status;
            this.body = body;
        }
    }

    /** POST models/{model}:batchGenerateContent with a body already written to a file; returns the job's name. */
    String create(String model, Path body) throws IOException, InterruptedException {
        HttpRequest request = request(URI.create(provider.baseUrl() + "/v1beta/models/" + model + ":batchGenerateContent"))
                .header("Content-Type", "application/json; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofFile(body)).build();
        try (InputStream answer = send(request, "Creating a batch job")) {
            BatchResults.Operation operation = BatchResults.readOperation(answer, tempDir, null);
            if (operation.name() == null || !operation.name().startsWith("batches/")) {
                throw new IOException("Creating a batch job answered without a job name (batches/...); check the provider's baseUrl.");
            }
            return operation.name();
        }
    }

    /** GET {name}: the job's state; inline results of a finished job go to {@code receiver}. */
    BatchResults.Operation get(String name, BatchResults.Receiver receiver) throws IOException, InterruptedException {
        try (InputStream answer = send(request(URI.create(provider.baseUrl() + "/v1beta/" + name)).GET().build(), "Reading " + name)) {
            return BatchResults.readOperation(answer, tempDir, receiver);
        }
    }

    /** Every job the project has, newest first as the server lists them (name, displayName, state). */
    List<BatchResults.Operation> list() throws IOException, InterruptedException {
        List<BatchResults.Operation> all = new ArrayList<>();
        String token = null;
        do {
            String query = "?pageSize=100" + (token == null ? "" : "&pageToken=" + java.net.URLEncoder.encode(token, StandardCharsets.UTF_8));
            String[] next = {null};
            try (InputStream answer = send(request(URI.create(provider.baseUrl() + "/v1beta/batches" + query)).GET().build(), "Listing batch jobs")) {
                all.addAll(BatchResults.readList(answer, next));
            }
            token = next[0] == null || next[0].isEmpty() ? null : next[0];
        } while (token != null);
        return all;
    }

    /** Uploads a JSONL file with the resumable protocol (start, then the bytes with "upload, finalize"); returns files/... */
    String upload(Path file, String displayName) throws IOException, InterruptedException {
        ObjectNode start = JSON.createObjectNode();
        start.putObject("file").put("displayName", displayName);
        HttpRequest startRequest = request(URI.create(provider.baseUrl() + "/upload/v1beta/files"))
                .header("Content-Type", "application/json")
                .header("X-Goog-Upload-Protocol", "resumable")
                .header("X-Goog-Upload-Command", "start")
                .header("X-Goog-Upload-Header-Content-Length", Long.toString(Files.size(file)))
                .header("X-Goog-Upload-Header-Content-Type", "application/jsonl")
                .POST(HttpRequest.BodyPublishers.ofString(start.toString())).build();
        HttpResponse<InputStream> started = exchange(startRequest, "Starting an upload");
        String uploadUrl;
        try (InputStream ignored = started.body()) {
            uploadUrl = started.headers().firstValue("x-goog-upload-url").orElseThrow(() ->
                    new IOException("Starting an upload answered without an x-goog-upload-url header; the endpoint may not serve the Files API."));
        }
        HttpRequest bytes = request(URI.create(uploadUrl))
                .header("X-Goog-Upload-Command", "upload, finalize")
                .header("X-Goog-Upload-Offset", "0")
                .POST(HttpRequest.BodyPublishers.ofFile(file)).build();
        try (InputStream answer = send(bytes, "Uploading the batch input")) {
            String name = JSON.readTree(answer).path("file").path("name").asText("");
            if (!name.startsWith("files/")) {
                throw new IOException("The upload answered without a file name (files/...).");
            }
            return name;
        }
    }

    /** GET download/v1beta/{file}:download?alt=media, read line by line by {@link BatchResults#readResultsFile}. */
    int download(String fileName, BatchResults.Receiver receiver) throws IOException, InterruptedException {
        HttpRequest request = request(URI.create(provider.baseUrl() + "/download/v1beta/" + fileName + ":download?alt=media")).GET().build();
        try (InputStream answer = send(request, "Downloading " + fileName)) {
            return BatchResults.readResultsFile(answer, tempDir, receiver);
        }
    }

    private HttpRequest.Builder request(URI uri) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(timeout);
        if (provider.apiKey() != null) {
            builder.header(provider.type() == ProviderType.GATEWAY ? provider.authHeader() : "x-goog-api-key", provider.apiKey());
        }
        return builder;
    }

    private InputStream send(HttpRequest request, String what) throws IOException, InterruptedException {
        return exchange(request, what).body();
    }

    private HttpResponse<InputStream> exchange(HttpRequest request, String what) throws IOException, InterruptedException {
        HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        if (response.statusCode() / 100 != 2) {
            String body;
            try (InputStream in = response.body()) {
                body = new String(in.readNBytes(64 * 1024), StandardCharsets.UTF_8);
            }
            throw new HttpFailure(response.statusCode(), body, what);
        }
        return response;
    }

    private static String abbreviate(String body) {
        String flat = body == null ? "" : body.replaceAll("\\s+", " ").strip();
        return flat.length() > 300 ? flat.substring(0, 300) + "..." : flat;
    }
}
