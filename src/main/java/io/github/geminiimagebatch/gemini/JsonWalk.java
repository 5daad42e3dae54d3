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
}
