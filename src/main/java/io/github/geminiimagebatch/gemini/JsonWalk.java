package io.github.geminiimagebatch.gemini;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;

/** Walking a JSON object field by field on a streaming parser, for answers too large to read as a tree. */
public final class JsonWalk {

    private JsonWalk() {
    }

    /** Reads one field's value; it must consume the value (read it or skipChildren). */
    @FunctionalInterface
    public interface FieldStep {
        void run(String name) throws IOException;
    }

    /** Reads one value the parser is on; it must consume the value. */
    @FunctionalInterface
    interface ValueStep {
        void run() throws IOException;
    }

    /**
     * Calls {@code step} with the parser on each field's value. A value that is not an object is skipped: a field
     * of an unexpected type is ignored like an unknown field, not treated as a broken body.
     */
    public static void forEachField(JsonParser json, FieldStep step) throws IOException {
        if (json.currentToken() != JsonToken.START_OBJECT) {
            json.skipChildren();
            return;
        }
        while (json.nextToken() == JsonToken.FIELD_NAME) {
            String name = json.currentName();
            json.nextToken();
            step.run(name);
        }
    }

    /**
     * Calls {@code step} with the parser on each element of an array that is an object. Other elements, and a
     * value that is not an array, are skipped like an unknown field.
     */
    static void forEachObject(JsonParser json, ValueStep step) throws IOException {
        if (json.currentToken() != JsonToken.START_ARRAY) {
            json.skipChildren();
            return;
        }
        while (json.nextToken() != JsonToken.END_ARRAY) {
            if (json.currentToken() == JsonToken.START_OBJECT) {
                step.run();
            } else {
                json.skipChildren();
            }
        }
    }

    /** The string the parser is on; any other value is skipped and reads as null. */
    static String text(JsonParser json) throws IOException {
        if (json.currentToken() == JsonToken.VALUE_STRING) {
            return json.getText();
        }
        json.skipChildren();
        return null;
    }

    /** int32 fields are JSON numbers in proto JSON, but int64 ones are strings: accept both; anything else reads as null. */
    static Integer integer(JsonParser json) throws IOException {
        JsonToken token = json.currentToken();
        if (token == JsonToken.VALUE_NUMBER_INT) {
            return json.getIntValue();
        }
        if (token == JsonToken.VALUE_STRING) {
            try {
                return Integer.valueOf(json.getText().strip());
            } catch (NumberFormatException e) {
                return null;
            }
        }
        json.skipChildren();
        return null;
    }
}
