package io.github.geminiimagebatch.simulator;

import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reading what a client sent: the body, the credentials and form or query fields. */
final class HttpRequests {

    private HttpRequests() {
    }

    static byte[] readBody(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            return in.readAllBytes();
        }
    }

    /** The AI Studio key: the x-goog-api-key header, else the {@code key} query parameter; null when neither is sent. */
    static String apiKey(HttpExchange exchange) {
        String header = exchange.getRequestHeaders().getFirst("x-goog-api-key");
        if (header != null) {
            return header.trim();
        }
        String query = exchange.getRequestURI().getRawQuery();
        return query == null ? null : formFields(query).get("key");
    }

    /** The token of an {@code Authorization: Bearer} header; null when there is none or it is blank. */
    static String bearer(HttpExchange exchange) {
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String token = header.substring(7).trim();
        return token.isEmpty() ? null : token;
    }

    /** {@code application/x-www-form-urlencoded} fields, decoded. */
    static Map<String, String> formFields(String encoded) {
        Map<String, String> fields = new HashMap<>();
        for (String pair : encoded.split("&")) {
            int equals = pair.indexOf('=');
            if (equals > 0) {
                fields.put(URLDecoder.decode(pair.substring(0, equals), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8));
            }
        }
        return fields;
    }

    /** The query parameters in the order sent, from the already decoded query. */
    static Map<String, String> query(HttpExchange exchange) {
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
}
