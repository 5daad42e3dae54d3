package io.github.geminiimagebatch.gemini;

import com.fasterxml.jackson.core.Base64Variant;
import com.fasterxml.jackson.core.Base64Variants;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Decodes a 200 OK response body in one streaming pass. The base64 image goes from the socket
 * through Jackson's {@code readBinaryValue} into a temp file, hashed and counted on the way, so
 * memory use does not grow with the image and no JSON string limit applies to it.
 */
public final class ResponseDecoder {

    /** Standard alphabet; padding accepted but not required, since some gateways strip it. */
    static final Base64Variant BASE64 = Base64Variants.MIME_NO_LINEFEEDS.withReadPadding(Base64Variant.PaddingReadBehaviour.PADDING_ALLOWED);

    /** The caller owns the body stream and closes it; the parser must not. */
    private static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder().disable(StreamReadFeature.AUTO_CLOSE_SOURCE).build());

    private static final Set<String> SAFETY_REASONS = Set.of("SAFETY", "IMAGE_SAFETY", "PROHIBITED_CONTENT",
            "IMAGE_PROHIBITED_CONTENT", "SPII", "BLOCKLIST", "CONTENT_FILTER");
    private static final Set<String> RECITATION_REASONS = Set.of("RECITATION", "IMAGE_RECITATION");

    /** The model's own words are a useful failure message, but a runaway text answer is not. */
    private static final int MAX_MESSAGE_CHARS = 500;

    private ResponseDecoder() {
    }

    /** A generateContent body from AI Studio, Vertex AI or a Gemini-compatible gateway (also the streamed array form). */
    public static DecodedResponse gemini(InputStream body, Path tempDir) throws IOException {
        return decode(body, tempDir, ResponseDecoder::readGeminiResponse);
    }

    /** An OpenRouter chat-completions body with images as {@code data:} URLs. */
    public static DecodedResponse openRouter(InputStream body, Path tempDir) throws IOException {
        return decode(new DataUrlObjectInputStream(body), tempDir, ResponseDecoder::readOpenRouterResponse);
    }

    /**
     * One generateContent response inside a larger stream (a line or an entry of Batch API results), the parser
     * on its START_OBJECT; reads exactly that object. The parser must come from an ObjectMapper (an error object
     * is read as a tree).
     */
    public static DecodedResponse geminiObject(JsonParser json, Path tempDir) throws IOException {
        return collect(tempDir, collected -> readGeminiResponse(json, collected));
    }

    @FunctionalInterface
    private interface Reader {
        void read(JsonParser json, Collected collected) throws IOException;
    }

    private static DecodedResponse decode(InputStream body, Path tempDir, Reader responseReader) throws IOException {
        return collect(tempDir, collected -> {
            try (JsonParser json = MAPPER.createParser(body)) {
                JsonToken first = json.nextToken();
                if (first == JsonToken.START_ARRAY) {
                    // streamGenerateContent wraps responses, and errors, in an array: read each element in order.
                    forEachElement(json, () -> readObject(json, collected, responseReader));
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
        void into(Collected collected) throws IOException;
    }

    /** Runs a read into a fresh {@link Collected}; on any failure its temp images are deleted before the error goes on. */
    private static DecodedResponse collect(Path tempDir, Collecting reading) throws IOException {
        Collected collected = new Collected(tempDir);
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

    private static void readGeminiResponse(JsonParser json, Collected collected) throws IOException {
        JsonWalk.forEachField(json, name -> {
            switch (name) {
                case "candidates" -> forEachElement(json, () -> readObject(json, collected, ResponseDecoder::readGeminiCandidate));
                case "promptFeedback" -> JsonWalk.forEachField(json, field -> {
                    switch (field) {
                        case "blockReason" -> collected.blockReason = text(json);
                        case "blockReasonMessage" -> collected.blockReasonMessage = text(json);
                        default -> json.skipChildren();
                    }
                });
                case "usageMetadata" -> readGeminiUsage(json, collected);
                case "modelVersion" -> collected.modelVersion = text(json);
                case "responseId" -> collected.responseId = text(json);
                case "error" -> collected.readError(json);
                default -> json.skipChildren();
            }
        });
    }

    private static void readGeminiCandidate(JsonParser json, Collected collected) throws IOException {
        JsonWalk.forEachField(json, name -> {
            switch (name) {
                case "content" -> JsonWalk.forEachField(json, field -> {
                    if (field.equals("parts")) {
                        forEachElement(json, () -> readObject(json, collected, ResponseDecoder::readGeminiPart));
                    } else {
                        json.skipChildren();
                    }
                });
                case "finishReason" -> collected.offerFinishReason(text(json));
                case "finishMessage" -> collected.offerFinishMessage(text(json));
                default -> json.skipChildren();
            }
        });
    }

    /** The {@code thought} flag may come after the image data, so a part's image is judged only when the part ends. */
    private static void readGeminiPart(JsonParser json, Collected collected) throws IOException {
        Part part = new Part();
        try {
            JsonWalk.forEachField(json, name -> {
                switch (name) {
                    case "text" -> part.text = text(json);
                    case "thought" -> {
                        part.thought = json.currentToken() == JsonToken.VALUE_TRUE;
                        json.skipChildren();
                    }
                    case "inlineData" -> readInlineData(json, collected, part);
                    default -> json.skipChildren();
                }
            });
        } catch (IOException | RuntimeException e) {
            collected.drop(part.image);
            throw e;
        }
        if (part.image != null) {
            if (part.thought) {
                collected.drop(part.image);
            } else {
                collected.offerImage(part.image, part.declaredMime);
            }
        }
        if (part.text != null && !part.thought) {
            collected.appendText(part.text);
        }
    }

    /** {"mimeType":..., "data":...} in either order; shared by Gemini's inlineData and OpenRouter's rewritten data URLs. */
    private static void readInlineData(JsonParser json, Collected collected, Part part) throws IOException {
        JsonWalk.forEachField(json, field -> {
            switch (field) {
                case "mimeType" -> part.declaredMime = text(json);
                case "data" -> {
                    if (json.currentToken() == JsonToken.VALUE_STRING) {
                        collected.drop(part.image);
                        part.image = collected.streamImage(json);
                    } else {
                        json.skipChildren();
                    }
                }
                default -> json.skipChildren();
            }
        });
    }

    private static void readGeminiUsage(JsonParser json, Collected collected) throws IOException {
        JsonWalk.forEachField(json, name -> {
            switch (name) {
                case "promptTokenCount" -> collected.promptTokens = integer(json);
                case "candidatesTokenCount" -> collected.candidatesTokens = integer(json);
                case "totalTokenCount" -> collected.totalTokens = integer(json);
                case "candidatesTokensDetails" -> {
                    collected.imageTokens = null;
                    forEachElement(json, () -> {
                        String[] modality = new String[1];
                        Integer[] tokens = new Integer[1];
                        JsonWalk.forEachField(json, field -> {
                            switch (field) {
                                case "modality" -> modality[0] = text(json);
                                case "tokenCount" -> tokens[0] = integer(json);
                                default -> json.skipChildren();
                            }
                        });
                        if ("IMAGE".equals(modality[0]) && tokens[0] != null) {
                            collected.imageTokens = collected.imageTokens == null ? tokens[0] : collected.imageTokens + tokens[0];
                        }
                    });
                }
                default -> json.skipChildren();
            }
        });
    }

    private static void readOpenRouterResponse(JsonParser json, Collected collected) throws IOException {
        JsonWalk.forEachField(json, name -> {
            switch (name) {
                case "choices" -> forEachElement(json, () -> readObject(json, collected, ResponseDecoder::readOpenRouterChoice));
                case "usage" -> JsonWalk.forEachField(json, field -> {
                    switch (field) {
                        case "prompt_tokens" -> collected.promptTokens = integer(json);
                        case "completion_tokens" -> collected.candidatesTokens = integer(json);
                        case "total_tokens" -> collected.totalTokens = integer(json);
                        case "completion_tokens_details" -> JsonWalk.forEachField(json, detail -> {
                            if (detail.equals("image_tokens")) {
                                collected.imageTokens = integer(json);
                            } else {
                                json.skipChildren();
                            }
                        });
                        default -> json.skipChildren();
                    }
                });
                case "model" -> collected.modelVersion = text(json);
                case "id" -> collected.responseId = text(json);
                case "error" -> collected.readError(json);
                default -> json.skipChildren();
            }
        });
    }

    private static void readOpenRouterChoice(JsonParser json, Collected collected) throws IOException {
        String[] finishReasons = new String[2];
        JsonWalk.forEachField(json, name -> {
            switch (name) {
                case "message" -> readOpenRouterMessage(json, collected);
                case "finish_reason" -> finishReasons[0] = text(json);
                case "native_finish_reason" -> finishReasons[1] = text(json);
                case "error" -> collected.readError(json);
                default -> json.skipChildren();
            }
        });
        // Google's own reason (IMAGE_SAFETY, NO_IMAGE ...) says more than OpenRouter's normalised one.
        collected.offerFinishReason(finishReasons[1] != null ? finishReasons[1] : finishReasons[0]);
    }

    private static void readOpenRouterMessage(JsonParser json, Collected collected) throws IOException {
        JsonWalk.forEachField(json, name -> {
            switch (name) {
                case "content" -> {
                    String content = text(json);
                    if (content != null) {
                        collected.appendText(content);
                    }
                }
                case "refusal" -> collected.offerFinishMessage(text(json));
                case "images" -> forEachElement(json, () -> readObject(json, collected, ResponseDecoder::readOpenRouterImage));
                default -> json.skipChildren();
            }
        });
    }

    private static void readOpenRouterImage(JsonParser json, Collected collected) throws IOException {
        JsonWalk.forEachField(json, name -> {
            if (!name.equals("image_url")) {
                json.skipChildren();
                return;
            }
            JsonWalk.forEachField(json, field -> {
                if (!field.equals("url")) {
                    json.skipChildren();
                } else if (json.currentToken() == JsonToken.START_OBJECT) {
                    Part part = new Part();
                    try {
                        readInlineData(json, collected, part);
                    } catch (IOException | RuntimeException e) {
                        collected.drop(part.image);
                        throw e;
                    }
                    if (part.image != null) {
                        collected.offerImage(part.image, part.declaredMime);
                    }
                } else {
                    collected.imageNotInline = true;
                    json.skipChildren();
                }
            });
        });
    }

    @FunctionalInterface
    private interface Step {
        void run() throws IOException;
    }

    private static void forEachElement(JsonParser json, Step step) throws IOException {
        if (json.currentToken() != JsonToken.START_ARRAY) {
            json.skipChildren();
            return;
        }
        while (json.nextToken() != JsonToken.END_ARRAY) {
            step.run();
        }
    }

    private static void readObject(JsonParser json, Collected collected, Reader reader) throws IOException {
        if (json.currentToken() == JsonToken.START_OBJECT) {
            reader.read(json, collected);
        } else {
            json.skipChildren();
        }
    }

    private static String text(JsonParser json) throws IOException {
        if (json.currentToken() == JsonToken.VALUE_STRING) {
            return json.getText();
        }
        json.skipChildren();
        return null;
    }

    /** int32 fields are JSON numbers in proto JSON, but int64 ones are strings: accept both. */
    private static Integer integer(JsonParser json) throws IOException {
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

    private static final class Part {
        String text;
        boolean thought;
        String declaredMime;
        ImageSink image;
    }

    /** Everything gathered while walking one body, plus the temp files it owns until the result is handed over. */
    private static final class Collected {
        private final Path tempDir;
        private final List<ImageSink> ownedImages = new ArrayList<>();
        private ImageSink image;
        private String imageDeclaredMime;
        private final StringBuilder text = new StringBuilder();
        String finishReason;
        String finishMessage;
        String blockReason;
        String blockReasonMessage;
        boolean imageNotInline;
        Integer promptTokens;
        Integer candidatesTokens;
        Integer imageTokens;
        Integer totalTokens;
        String modelVersion;
        String responseId;
        JsonNode error;

        Collected(Path tempDir) {
            this.tempDir = tempDir;
        }

        ImageSink streamImage(JsonParser json) throws IOException {
            ImageSink sink = ImageSink.createIn(tempDir);
            ownedImages.add(sink);
            try (sink) {
                json.readBinaryValue(BASE64, sink);
            } catch (JsonEOFException e) {
                throw e;
            } catch (JsonParseException | IllegalArgumentException e) {
                // Jackson reports a bad base64 character as IllegalArgumentException, bad padding as JsonParseException.
                throw new MalformedResponseException("The image data in the response is not valid base64 (near byte "
                        + json.currentLocation().getByteOffset() + "); the provider or a proxy altered the body. Retry the request.");
            }
            return sink;
        }

        /**
         * Later images replace earlier ones: the final image comes last. Empty data is no image, and
         * neither is inline data whose bytes are no known image format and whose declared type is not image/*.
         */
        void offerImage(ImageSink candidate, String declaredMime) throws IOException {
            boolean declaredImage = declaredMime != null && declaredMime.toLowerCase(Locale.ROOT).startsWith("image/");
            if (candidate.bytes() == 0 || (candidate.sniffedMime() == null && !declaredImage)) {
                drop(candidate);
                return;
            }
            drop(image);
            image = candidate;
            imageDeclaredMime = declaredMime;
        }

        void drop(ImageSink sink) throws IOException {
            if (sink != null) {
                ownedImages.remove(sink);
                sink.delete();
                if (sink == image) {
                    image = null;
                }
            }
        }

        void discardAll() {
            for (ImageSink sink : ownedImages) {
                try {
                    sink.delete();
                } catch (IOException ignored) {
                    // Best effort: the decode already failed with the exception that matters.
                }
            }
            ownedImages.clear();
            image = null;
        }

        void offerFinishReason(String reason) {
            if (finishReason == null) {
                finishReason = reason;
            }
        }

        void offerFinishMessage(String message) {
            if (finishMessage == null && message != null && !message.isBlank()) {
                finishMessage = message;
            }
        }

        void appendText(String part) {
            if (text.length() < MAX_MESSAGE_CHARS) {
                text.append(part, 0, Math.min(part.length(), MAX_MESSAGE_CHARS - text.length()));
            }
        }

        void readError(JsonParser json) throws IOException {
            if (json.currentToken() != JsonToken.START_OBJECT) {
                json.skipChildren();
                return;
            }
            error = json.readValueAsTree();
        }

        DecodedResponse result() throws IOException {
            Usage usage = new Usage(promptTokens, candidatesTokens, imageTokens, totalTokens);
            if (error != null) {
                discardAll();
                JsonNode code = error.path("code");
                Integer errorCode = code.canConvertToInt() ? Integer.valueOf(code.asInt())
                        : code.isTextual() && code.asText().matches("\\d{1,9}") ? Integer.valueOf(code.asText()) : null;
                String errorBody = MAPPER.writeValueAsString(MAPPER.createObjectNode().set("error", error));
                return new DecodedResponse(Outcome.ERROR_IN_BODY, null, null, 0, null, null, null, finishReason, "provider_error",
                        error.path("message").asText("The provider returned an error object without a message."),
                        usage, modelVersion, responseId, errorCode, errorBody);
            }
            if (image != null) {
                String sniffed = image.sniffedMime();
                String mimeType = sniffed != null ? sniffed : imageDeclaredMime != null ? imageDeclaredMime : "application/octet-stream";
                int[] size = ImageInfo.dimensions(image.file()).orElse(null);
                ownedImages.remove(image);
                return new DecodedResponse(Outcome.IMAGE, image.file(), mimeType, image.bytes(), image.sha256Hex(),
                        size == null ? null : size[0], size == null ? null : size[1], finishReason, null, finishMessage,
                        usage, modelVersion, responseId, null, null);
            }
            if (blockReason != null) {
                return new DecodedResponse(Outcome.BLOCKED, null, null, 0, null, null, null, blockReason, "safety",
                        blockReasonMessage != null ? blockReasonMessage : "The prompt was blocked (promptFeedback.blockReason " + blockReason + ").",
                        usage, modelVersion, responseId, null, null);
            }
            String reason = finishReason == null ? "" : finishReason.toUpperCase(Locale.ROOT);
            Outcome outcome = SAFETY_REASONS.contains(reason) || RECITATION_REASONS.contains(reason) ? Outcome.BLOCKED : Outcome.NO_IMAGE;
            String reasonClass = SAFETY_REASONS.contains(reason) ? "safety" : RECITATION_REASONS.contains(reason) ? "recitation" : "no_image";
            return new DecodedResponse(outcome, null, null, 0, null, null, null, finishReason, reasonClass, noImageMessage(),
                    usage, modelVersion, responseId, null, null);
        }

        private String noImageMessage() {
            if (finishMessage != null) {
                return finishMessage;
            }
            if (imageNotInline) {
                return "The image came back as a link instead of inline base64 data, which is not supported.";
            }
            String answer = text.toString().strip();
            if (!answer.isEmpty()) {
                return "The model answered with text instead of an image: " + answer;
            }
            return finishReason == null ? "The response held no image and no finish reason."
                    : "The model finished (" + finishReason + ") without returning an image.";
        }
    }
}
