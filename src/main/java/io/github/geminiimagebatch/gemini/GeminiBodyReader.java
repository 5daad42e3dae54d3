package io.github.geminiimagebatch.gemini;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;

import static io.github.geminiimagebatch.gemini.JsonWalk.forEachField;
import static io.github.geminiimagebatch.gemini.JsonWalk.forEachObject;
import static io.github.geminiimagebatch.gemini.JsonWalk.integer;
import static io.github.geminiimagebatch.gemini.JsonWalk.text;

/** Reads a generateContent response object (AI Studio, Vertex AI, Gemini-compatible gateways) into a {@link CollectedResponse}. */
final class GeminiBodyReader {

    private GeminiBodyReader() {
    }

    /** The parser is on the response's START_OBJECT; reads exactly that object. */
    static void readResponse(JsonParser json, CollectedResponse collected) throws IOException {
        forEachField(json, name -> {
            switch (name) {
                case "candidates" -> forEachObject(json, () -> readCandidate(json, collected));
                case "promptFeedback" -> forEachField(json, field -> {
                    switch (field) {
                        case "blockReason" -> collected.blockReason = text(json);
                        case "blockReasonMessage" -> collected.blockReasonMessage = text(json);
                        default -> json.skipChildren();
                    }
                });
                case "usageMetadata" -> readUsage(json, collected);
                case "modelVersion" -> collected.modelVersion = text(json);
                case "responseId" -> collected.responseId = text(json);
                case "error" -> collected.readError(json);
                default -> json.skipChildren();
            }
        });
    }

    private static void readCandidate(JsonParser json, CollectedResponse collected) throws IOException {
        forEachField(json, name -> {
            switch (name) {
                case "content" -> forEachField(json, field -> {
                    if (field.equals("parts")) {
                        forEachObject(json, () -> readPart(json, collected));
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
    private static void readPart(JsonParser json, CollectedResponse collected) throws IOException {
        Part part = new Part();
        try {
            forEachField(json, name -> {
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
    static void readInlineData(JsonParser json, CollectedResponse collected, Part part) throws IOException {
        forEachField(json, field -> {
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

    private static void readUsage(JsonParser json, CollectedResponse collected) throws IOException {
        forEachField(json, name -> {
            switch (name) {
                case "promptTokenCount" -> collected.promptTokens = integer(json);
                case "candidatesTokenCount" -> collected.candidatesTokens = integer(json);
                case "totalTokenCount" -> collected.totalTokens = integer(json);
                case "candidatesTokensDetails" -> {
                    collected.imageTokens = null;
                    forEachObject(json, () -> {
                        String[] modality = new String[1];
                        Integer[] tokens = new Integer[1];
                        forEachField(json, field -> {
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

    /** One content part while it is read: its image stays a candidate until the part ends. */
    static final class Part {
        String text;
        boolean thought;
        String declaredMime;
        ImageSink image;
    }
}
