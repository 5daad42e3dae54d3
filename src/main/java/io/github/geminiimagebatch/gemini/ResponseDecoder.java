package io.github.geminiimagebatch.gemini;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/**
 * Decodes a 200 OK response body in one streaming pass. The base64 image goes from the socket
 * through Jackson's {@code readBinaryValue} into a temp file, hashed and counted on the way, so
 * memory use does not grow with the image and no JSON string limit applies to it. The dialects are read by
 * {@link GeminiBodyReader} and {@link OpenRouterBodyReader} into a {@link CollectedResponse}, which judges the outcome.
 */
public final class ResponseDecoder {

    /** The caller owns the body stream and closes it; the parser must not. */
    private static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder().disable(StreamReadFeature.AUTO_CLOSE_SOURCE).build());

    private ResponseDecoder() {
    }

    /** A generateContent body from AI Studio, Vertex AI or a Gemini-compatible gateway (also the streamed array form). */
    public static DecodedResponse gemini(InputStream body, Path tempDir) throws IOException {
        return decode(body, tempDir, GeminiBodyReader::readResponse);
    }

    /** An OpenRouter chat-completions body with images as {@code data:} URLs. */
    public static DecodedResponse openRouter(InputStream body, Path tempDir) throws IOException {
        return decode(new DataUrlObjectInputStream(body), tempDir, OpenRouterBodyReader::readResponse);
    }

    /**
     * One generateContent response inside a larger stream (a line or an entry of Batch API results), the parser
     * on its START_OBJECT; reads exactly that object. The parser must come from an ObjectMapper (an error object
     * is read as a tree).
     */
    public static DecodedResponse geminiObject(JsonParser json, Path tempDir) throws IOException {
        return collect(tempDir, collected -> GeminiBodyReader.readResponse(json, collected));
    }

    @FunctionalInterface
    private interface Reader {
        void read(JsonParser json, CollectedResponse collected) throws IOException;
    }

    private static DecodedResponse decode(InputStream body, Path tempDir, Reader responseReader) throws IOException {
        return collect(tempDir, collected -> {
            try (JsonParser json = MAPPER.createParser(body)) {
                JsonToken first = json.nextToken();
                if (first == JsonToken.START_ARRAY) {
                    // streamGenerateContent wraps responses, and errors, in an array: read each element in order.
                    JsonWalk.forEachObject(json, () -> responseReader.read(json, collected));
                } else if (first == JsonToken.START_OBJECT) {
                    responseReader.read(json, collected);
                } else {
                    throw new MalformedResponseException(first == null
                            ? "The response body is empty where a JSON object was expected; retry the request."
                            : "The response body is not a JSON object; the endpoint may not be a Gemini-compatible API (check baseUrl).");
                }
                if (json.nextToken() != null) {
                    throw new MalformedResponseException("The response body has extra content after its JSON object (at byte "
                            + json.currentTokenLocation().getByteOffset() + "); check baseUrl and any proxy in between.");
                }
            }
        });
    }

    @FunctionalInterface
    private interface Collecting {
        void into(CollectedResponse collected) throws IOException;
    }

    /** Runs a read into a fresh {@link CollectedResponse}; on any failure its temp images are deleted before the error goes on. */
    private static DecodedResponse collect(Path tempDir, Collecting reading) throws IOException {
        CollectedResponse collected = new CollectedResponse(tempDir);
        try {
            reading.into(collected);
            return collected.result();
        } catch (JsonProcessingException e) {
            collected.discardAll();
            throw malformed(e);
        } catch (IOException | RuntimeException | Error e) {
            collected.discardAll();
            throw e;
        }
    }

    private static MalformedResponseException malformed(JsonProcessingException e) {
        long offset = e.getLocation() == null ? -1 : e.getLocation().getByteOffset();
        if (e instanceof JsonEOFException) {
            return new MalformedResponseException("The response body ended before its JSON was complete (cut off after byte "
                    + offset + "); the connection probably dropped. Retry the request.");
        }
        if (e instanceof StreamConstraintsException) {
            // Jackson's constraint messages name the limit and the size, never the content.
            return new MalformedResponseException("The response body exceeds a JSON parser limit: " + e.getOriginalMessage());
        }
        return new MalformedResponseException("The response body is not valid JSON (error near byte " + offset
                + "); check baseUrl and any proxy in between, then retry.");
    }
}
