package io.github.geminiimagebatch.prompt;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Reads the fields of one prompt object from a JSON token stream, recording wrong types as problems. */
final class JsonFields {

    static final List<String> FIELD_NAMES =
            List.of("prompt", "id", "aspectRatio", "imageSize", "model", "referenceImages", "batch");

    /** Spellings like aspect_ratio or AspectRatio would otherwise be ignored silently and the default used. */
    private static final Map<String, String> FIELD_BY_LOOSE_NAME = looseNames();

    private JsonFields() {
    }

    /** Reads the object the parser stands on ({@code START_OBJECT}) into {@code item}; unknown fields are skipped. */
    static void readObject(JsonParser parser, RawItem item) throws IOException {
        Set<String> seen = new HashSet<>();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            parser.nextToken();
            if (!seen.add(name)) {
                item.fail("field " + UserText.quote(name) + " appears twice; keep only one");
            }
            switch (name) {
                case "prompt" -> item.prompt = string(parser, item, name);
                case "id" -> item.id = string(parser, item, name);
                case "aspectRatio" -> item.aspectRatio = string(parser, item, name);
                case "imageSize" -> item.imageSize = string(parser, item, name);
                case "model" -> item.model = string(parser, item, name);
                case "batch" -> item.batch = string(parser, item, name);
                case "referenceImages" -> item.referenceImages = stringArray(parser, item, name);
                default -> {
                    String meant = FIELD_BY_LOOSE_NAME.get(looseName(name));
                    if (meant != null) {
                        item.fail("field " + UserText.quote(name) + " is not recognised; write it as '" + meant + "'");
                    }
                    parser.skipChildren();
                }
            }
        }
    }

    static String looseName(String name) {
        return name.replaceAll("[\\s_-]", "").toLowerCase(Locale.ROOT);
    }

    private static String string(JsonParser parser, RawItem item, String name) throws IOException {
        JsonToken token = parser.currentToken();
        if (token == JsonToken.VALUE_STRING) {
            return parser.getText();
        }
        if (token != JsonToken.VALUE_NULL) {
            item.fail("'" + name + "' must be a string in double quotes, not " + describe(token));
            parser.skipChildren();
        }
        return null;
    }

    private static List<String> stringArray(JsonParser parser, RawItem item, String name) throws IOException {
        JsonToken token = parser.currentToken();
        if (token == JsonToken.VALUE_NULL) {
            return List.of();
        }
        if (token != JsonToken.START_ARRAY) {
            item.fail("'" + name + "' must be an array of paths like [\"images/cat.png\"], not " + describe(token));
            parser.skipChildren();
            return List.of();
        }
        List<String> values = new ArrayList<>();
        for (JsonToken element = parser.nextToken(); element != JsonToken.END_ARRAY; element = parser.nextToken()) {
            if (element == JsonToken.VALUE_STRING) {
                values.add(parser.getText());
            } else {
                item.fail("'" + name + "' must contain only paths in double quotes, not " + describe(element));
                parser.skipChildren();
            }
        }
        return values;
    }

    private static String describe(JsonToken token) {
        return switch (token) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "true/false";
            case VALUE_STRING -> "a string";
            default -> "null";
        };
    }

    private static Map<String, String> looseNames() {
        Map<String, String> byLooseName = new HashMap<>();
        FIELD_NAMES.forEach(field -> byLooseName.put(looseName(field), field));
        byLooseName.put("referenceimage", "referenceImages");
        return Map.copyOf(byLooseName);
    }
}
