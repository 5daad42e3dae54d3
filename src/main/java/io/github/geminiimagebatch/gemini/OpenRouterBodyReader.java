package io.github.geminiimagebatch.gemini;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;

import static io.github.geminiimagebatch.gemini.JsonWalk.forEachField;
import static io.github.geminiimagebatch.gemini.JsonWalk.forEachObject;
import static io.github.geminiimagebatch.gemini.JsonWalk.integer;
import static io.github.geminiimagebatch.gemini.JsonWalk.text;

/**
 * Reads an OpenRouter chat-completions response object into a {@link CollectedResponse}. Its {@code data:} image URLs
 * arrive rewritten by {@link DataUrlObjectInputStream} as Gemini-style inline data objects.
 */
final class OpenRouterBodyReader {

    private OpenRouterBodyReader() {
    }

    /** The parser is on the response's START_OBJECT; reads exactly that object. */
    static void readResponse(JsonParser json, CollectedResponse collected) throws IOException {
        forEachField(json, name -> {
            switch (name) {
                case "choices" -> forEachObject(json, () -> readChoice(json, collected));
                case "usage" -> forEachField(json, field -> {
                    switch (field) {
                        case "prompt_tokens" -> collected.promptTokens = integer(json);
                        case "completion_tokens" -> collected.candidatesTokens = integer(json);
                        case "total_tokens" -> collected.totalTokens = integer(json);
                        case "completion_tokens_details" -> forEachField(json, detail -> {
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

    private static void readChoice(JsonParser json, CollectedResponse collected) throws IOException {
        String[] finishReasons = new String[2];
        forEachField(json, name -> {
            switch (name) {
                case "message" -> readMessage(json, collected);
                case "finish_reason" -> finishReasons[0] = text(json);
                case "native_finish_reason" -> finishReasons[1] = text(json);
                case "error" -> collected.readError(json);
                default -> json.skipChildren();
            }
        });
        // Google's own reason (IMAGE_SAFETY, NO_IMAGE ...) says more than OpenRouter's normalised one.
        collected.offerFinishReason(finishReasons[1] != null ? finishReasons[1] : finishReasons[0]);
    }

    private static void readMessage(JsonParser json, CollectedResponse collected) throws IOException {
        forEachField(json, name -> {
            switch (name) {
                case "content" -> {
                    String content = text(json);
                    if (content != null) {
                        collected.appendText(content);
                    }
                }
                case "refusal" -> collected.offerFinishMessage(text(json));
                case "images" -> forEachObject(json, () -> readImage(json, collected));
                default -> json.skipChildren();
            }
        });
    }

    private static void readImage(JsonParser json, CollectedResponse collected) throws IOException {
        forEachField(json, name -> {
            if (!name.equals("image_url")) {
                json.skipChildren();
                return;
            }
            forEachField(json, field -> {
                if (!field.equals("url")) {
                    json.skipChildren();
                } else if (json.currentToken() == JsonToken.START_OBJECT) {
                    GeminiBodyReader.Part part = new GeminiBodyReader.Part();
                    try {
                        GeminiBodyReader.readInlineData(json, collected, part);
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
}
