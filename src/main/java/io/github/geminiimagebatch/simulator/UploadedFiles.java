package io.github.geminiimagebatch.simulator;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/** The Files API as the Batch API uses it: resumable uploads of JSONL input, and the files they make. */
final class UploadedFiles {

    private final SimulatorOptions options;
    private final ObjectMapper json;
    private final ResponseWriter writer;
    private final Function<HttpExchange, Optional<ObjectNode>> authFailure;
    private final Map<String, byte[]> files = new ConcurrentHashMap<>();
    private final Map<String, ByteArrayOutputStream> uploads = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final LongAdder uploaded = new LongAdder();

    UploadedFiles(SimulatorOptions options, ObjectMapper json, ResponseWriter writer,
                  Function<HttpExchange, Optional<ObjectNode>> authFailure) {
        this.options = options;
        this.json = json;
        this.writer = writer;
        this.authFailure = authFailure;
    }

    /** The bytes of an uploaded file, by its id (without {@code files/}), or null. */
    byte[] get(String fileId) {
        return files.get(fileId);
    }

    long uploadedCount() {
        return uploaded.sum();
    }

    void reset() {
        files.clear();
        uploads.clear();
        uploaded.reset();
    }

    /** The resumable protocol: "start" answers an upload URL; "upload" appends; "finalize" makes the file. */
    void serve(HttpExchange exchange, URI baseUri) throws IOException {
        Map<String, String> query = HttpRequests.query(exchange);
        String command = String.valueOf(exchange.getRequestHeaders().getFirst("X-Goog-Upload-Command")).toLowerCase(Locale.ROOT);
        String uploadId = query.get("upload_id");
        if (uploadId == null) {
            byte[] body = HttpRequests.readBody(exchange);
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
            String displayName = body.length == 0 ? null : BatchService.text(json.readTree(body).path("file").path("displayName"));
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
                HttpRequests.readBody(exchange);
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
        uploaded.increment();
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
}
