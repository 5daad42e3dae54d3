package io.github.geminiimagebatch.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import io.github.geminiimagebatch.gemini.NonClosingOutputStream;
import io.github.geminiimagebatch.model.Dimensions;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * Writes answers. Bodies with images are streamed: the JSON around the images is serialised with
 * placeholders, and each placeholder is replaced by base64 encoded while the image renders, so a 4K
 * noise image never exists in memory as a whole.
 */
final class ResponseWriter {

    private static final int STREAM_BUFFER_BYTES = 64 * 1024;

    private final ObjectMapper json;
    private final ImageRenderer renderer;
    private final SimulatorStats stats;

    ResponseWriter(ObjectMapper json, ImageRenderer renderer, SimulatorStats stats) {
        this.json = json;
        this.renderer = renderer;
        this.stats = stats;
    }

    /** An image to stream in place of {@link #placeholder()} inside a JSON template. */
    record ImageSpec(int index, Dimensions size, long seed, ImageMode mode, ImageFormat format) {
        String placeholder() {
            return ResponseWriter.placeholder(index);
        }
    }

    /** Text standing for image {@code index} in a template until the image is streamed in its place. */
    static String placeholder(int index) {
        return "@@sim-image-" + index + "@@";
    }

    void json(HttpExchange exchange, int status, JsonNode body) throws IOException {
        bytes(exchange, status, "application/json; charset=UTF-8", json.writeValueAsBytes(body));
    }

    void bytes(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        stats.response(status);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    /** 200 with the template's placeholders replaced by streamed base64 images, chunked. */
    void withImages(HttpExchange exchange, JsonNode template, List<ImageSpec> images) throws IOException {
        stats.response(200);
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=UTF-8");
        exchange.sendResponseHeaders(200, 0);
        try (OutputStream out = new BufferedOutputStream(exchange.getResponseBody(), STREAM_BUFFER_BYTES)) {
            writeTemplate(json.writeValueAsString(template), images, out);
        }
    }

    /** A JSON value with image placeholders and the images that replace them, in the order they appear. */
    record Templated(JsonNode template, List<ImageSpec> images) {
    }

    /** 200 with one JSON value per line (JSONL), each line's images streamed in like {@link #withImages}. */
    void jsonLines(HttpExchange exchange, String contentType, Iterable<Templated> lines) throws IOException {
        stats.response(200);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(200, 0);
        try (OutputStream out = new BufferedOutputStream(exchange.getResponseBody(), STREAM_BUFFER_BYTES)) {
            for (Templated line : lines) {
                writeTemplate(json.writeValueAsString(line.template()), line.images(), out);
                out.write('\n');
            }
        }
    }

    /**
     * Starts a 200 answer that announces more bytes than it sends, then stops: the connection closes
     * mid-body, as when a proxy or the network cuts a response.
     */
    void truncated(HttpExchange exchange, JsonNode template, List<ImageSpec> images) throws IOException {
        stats.response(200);
        String text = json.writeValueAsString(template);
        int firstImage = images.isEmpty() ? text.length() / 2 : text.indexOf(images.get(0).placeholder());
        long sentBytes = text.substring(0, firstImage).getBytes(StandardCharsets.UTF_8).length + 1024L;
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=UTF-8");
        exchange.sendResponseHeaders(200, sentBytes * 2);
        OutputStream out = exchange.getResponseBody();
        try {
            writeTemplate(text, images, new CutOffStream(out, sentBytes));
        } catch (CutOffStream.CutOff expected) {
            out.flush();
        }
    }

    private void writeTemplate(String template, List<ImageSpec> images, OutputStream out) throws IOException {
        int from = 0;
        for (ImageSpec image : images) {
            int at = template.indexOf(image.placeholder(), from);
            out.write(template.substring(from, at).getBytes(StandardCharsets.UTF_8));
            try (OutputStream base64 = Base64.getEncoder().wrap(new NonClosingOutputStream(out))) {
                renderer.write(image.mode(), image.format(), image.size(), image.seed(), base64);
            }
            from = at + image.placeholder().length();
        }
        out.write(template.substring(from).getBytes(StandardCharsets.UTF_8));
    }

    /** Passes bytes through until a budget is spent, then stops the writer by throwing. */
    private static final class CutOffStream extends FilterOutputStream {
        private long remaining;

        CutOffStream(OutputStream out, long budget) {
            super(out);
            this.remaining = budget;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] data, int offset, int length) throws IOException {
            int allowed = (int) Math.min(length, remaining);
            out.write(data, offset, allowed);
            remaining -= allowed;
            if (remaining == 0) {
                throw new CutOff();
            }
        }

        @Override
        public void close() {
            // The exchange closes the real stream; closing here would end the body cleanly.
        }

        static final class CutOff extends IOException {
            CutOff() {
                super("body cut off on purpose", null);
            }
        }
    }
}
