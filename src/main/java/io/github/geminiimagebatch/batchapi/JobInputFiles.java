package io.github.geminiimagebatch.batchapi;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.geminiimagebatch.gemini.NonClosingOutputStream;
import io.github.geminiimagebatch.gemini.RequestBodies;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The bodies a job is created from, streamed to files so that a job of thousands of 4K requests never sits in memory. */
final class JobInputFiles {

    private static final ObjectMapper JSON = new ObjectMapper();

    private JobInputFiles() {
    }

    /** One {@code {"key":..., "request":{...}}} line per item: the Files API input, also used to size the job. */
    static void writeLines(List<JobTicket> tickets, Path file) throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 64 * 1024)) {
            for (JobTicket ticket : tickets) {
                write(out, "{\"key\":" + JSON.writeValueAsString(ticket.key) + ",\"request\":");
                RequestBodies.writeGemini(ticket.request, new NonClosingOutputStream(out));
                write(out, "}\n");
            }
        }
    }

    /** {"batch":{"displayName", "inputConfig":{"requests":{"requests":[{request, metadata:{key}}]}} or {"fileName"}}} */
    static void writeCreateBody(String displayName, List<JobTicket> inline, String fileName, Path file) throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 64 * 1024)) {
            write(out, "{\"batch\":{\"displayName\":" + JSON.writeValueAsString(displayName) + ",\"inputConfig\":");
            if (inline == null) {
                write(out, "{\"fileName\":" + JSON.writeValueAsString(fileName) + "}}}");
                return;
            }
            write(out, "{\"requests\":{\"requests\":[");
            for (int i = 0; i < inline.size(); i++) {
                write(out, (i == 0 ? "" : ",") + "{\"request\":");
                RequestBodies.writeGemini(inline.get(i).request, new NonClosingOutputStream(out));
                write(out, ",\"metadata\":{\"key\":" + JSON.writeValueAsString(inline.get(i).key) + "}}");
            }
            write(out, "]}}}}");
        }
    }

    private static void write(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
    }
}
