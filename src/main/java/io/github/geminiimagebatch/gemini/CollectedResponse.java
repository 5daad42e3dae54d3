package io.github.geminiimagebatch.gemini;

import com.fasterxml.jackson.core.Base64Variant;
import com.fasterxml.jackson.core.Base64Variants;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Everything gathered while walking one body, plus the temp files it owns until the result is handed over; its
 * {@link #result()} judges what the body amounts to (an image, a block, an error, or no image and why).
 */
final class CollectedResponse {

    /** Standard alphabet; padding accepted but not required, since some gateways strip it. */
    private static final Base64Variant BASE64 = Base64Variants.MIME_NO_LINEFEEDS.withReadPadding(Base64Variant.PaddingReadBehaviour.PADDING_ALLOWED);

    private static final ObjectMapper ERROR_JSON = new ObjectMapper();

    private static final Set<String> SAFETY_REASONS = Set.of("SAFETY", "IMAGE_SAFETY", "PROHIBITED_CONTENT",
            "IMAGE_PROHIBITED_CONTENT", "SPII", "BLOCKLIST", "CONTENT_FILTER");
    private static final Set<String> RECITATION_REASONS = Set.of("RECITATION", "IMAGE_RECITATION");

    /** The model's own words are a useful failure message, but a runaway text answer is not. */
    private static final int MAX_MESSAGE_CHARS = 500;

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

    CollectedResponse(Path tempDir) {
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
            String errorBody = ERROR_JSON.writeValueAsString(ERROR_JSON.createObjectNode().set("error", error));
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
