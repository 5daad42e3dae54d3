package io.github.geminiimagebatch.quota;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The parts of an error body the classifiers read, from Google's envelope
 * {@code {"error":{"code","message","status","details":[...]}}} (also wrapped in an array), the
 * OpenRouter variant with {@code error.metadata}, or plain text.
 */
final class ErrorBody {

    /** Lenient about raw line breaks inside strings: gateways hand-write error bodies. */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_UNESCAPED_CONTROL_CHARS)
            .build();

    /** The error object, or null when the body is not JSON or has none. */
    final JsonNode error;
    /** error.message, or the whole body when it is not JSON. */
    final String message;
    final String status;
    final Integer code;
    /** Whether the body was JSON at all. */
    final boolean json;

    private ErrorBody(JsonNode error, String message, String status, Integer code, boolean json) {
        this.error = error;
        this.json = json;
        this.message = message;
        this.status = status;
        this.code = code;
    }

    static ErrorBody parse(String body) {
        if (body == null || body.isBlank()) {
            return new ErrorBody(null, "", null, null, false);
        }
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JsonProcessingException | RuntimeException notJson) {
            return new ErrorBody(null, body, null, null, false);
        }
        if (root != null && root.isArray() && !root.isEmpty()) {
            root = root.get(0);
        }
        if (root == null || !root.isObject()) {
            return new ErrorBody(null, body, null, null, root != null);
        }
        JsonNode error = root.has("error") ? root.get("error") : root;
        if (error.isTextual()) {
            return new ErrorBody(null, error.asText(), null, null, true);
        }
        if (!error.isObject()) {
            return new ErrorBody(null, "", null, null, true);
        }
        String message = text(error, "message");
        Integer code = error.path("code").canConvertToInt() && error.path("code").isNumber()
                ? error.get("code").intValue() : null;
        return new ErrorBody(error, message == null ? "" : message, text(error, "status"), code, true);
    }

    /** The details entries whose @type ends with {@code typeSuffix} (e.g. "QuotaFailure"). */
    List<JsonNode> details(String typeSuffix) {
        List<JsonNode> found = new ArrayList<>();
        if (error == null) {
            return found;
        }
        for (JsonNode detail : error.path("details")) {
            String type = text(detail, "@type");
            if (type != null && type.endsWith("." + typeSuffix)) {
                found.add(detail);
            }
        }
        return found;
    }

    /** ErrorInfo reasons, e.g. API_KEY_INVALID, RATE_LIMIT_EXCEEDED. */
    List<String> errorInfoReasons() {
        List<String> reasons = new ArrayList<>();
        for (JsonNode info : details("ErrorInfo")) {
            String reason = text(info, "reason");
            if (reason != null) {
                reasons.add(reason);
            }
        }
        return reasons;
    }

    JsonNode metadata() {
        return error == null ? null : error.get("metadata");
    }

    static String text(JsonNode node, String field) {
        JsonNode value = node == null ? null : node.get(field);
        return value == null || value.isNull() || value.isContainerNode() ? null : value.asText();
    }

    /** A field of an object, matching its name without regard to case (HTTP header maps). */
    static String textIgnoringCase(JsonNode node, String field) {
        if (node == null || !node.isObject()) {
            return null;
        }
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> entry = fields.next();
            if (entry.getKey().equalsIgnoreCase(field) && entry.getValue().isValueNode()) {
                return entry.getValue().asText();
            }
        }
        return null;
    }
}
