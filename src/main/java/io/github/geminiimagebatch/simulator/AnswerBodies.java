package io.github.geminiimagebatch.simulator;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.geminiimagebatch.model.Dimensions;
import io.github.geminiimagebatch.model.ModelCatalog;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The 200 answers in Google's and OpenRouter's shapes: image answers (as templates whose image data
 * placeholders {@link ResponseWriter} streams in), answers without an image, usage and ids.
 */
final class AnswerBodies {

    static final String OPENROUTER_PROVIDER = "Google AI Studio";
    private static final String IMAGE_TEXT = "Here is your image.";
    private static final String TEXT_INSTEAD_OF_IMAGE = "I can describe that scene, but I cannot draw it right now.";
    private static final int THOUGHT_IMAGE = 0;
    private static final int FINAL_IMAGE = 1;

    private final SimulatorOptions options;
    private final JsonNodeFactory json = JsonNodeFactory.instance;
    private final AtomicLong responseIds = new AtomicLong();

    AnswerBodies(SimulatorOptions options) {
        this.options = options;
    }

    ObjectNode openRouterError(int code, String message, ObjectNode upstream) {
        ObjectNode body = json.objectNode();
        ObjectNode error = body.putObject("error");
        error.put("code", code);
        error.put("message", message);
        if (upstream != null) {
            ObjectNode metadata = error.putObject("metadata");
            metadata.put("raw", upstream.toString());
            metadata.put("provider_name", OPENROUTER_PROVIDER);
        }
        return body;
    }

    ObjectNode successBody(Endpoint endpoint, GenerationRequest request, ImageFormat format) {
        return successBody(endpoint, request, format, 0);
    }

    /**
     * An image answer whose placeholders are numbered from {@code imageBase}, so that several answers can share
     * one streamed body (a batch job's results); {@link #images} with the same base streams their images.
     */
    ObjectNode successBody(Endpoint endpoint, GenerationRequest request, ImageFormat format, int imageBase) {
        int imageTokens = ModelCatalog.imageTokens(request.model(), request.imageSize());
        if (endpoint == Endpoint.OPENROUTER) {
            ObjectNode body = openRouterAnswer(request, "stop", "STOP", IMAGE_TEXT, imageTokens);
            ObjectNode image = ((ObjectNode) body.at("/choices/0/message")).putArray("images").addObject();
            image.put("type", "image_url");
            image.putObject("image_url").put("url", "data:" + format.mimeType() + ";base64," + ResponseWriter.placeholder(FINAL_IMAGE));
            image.put("index", 0);
            return body;
        }
        ObjectNode body = json.objectNode();
        ObjectNode candidate = body.putArray("candidates").addObject();
        ObjectNode content = candidate.putObject("content");
        content.put("role", "model");
        ArrayNode parts = content.putArray("parts");
        if (!request.imageOnly()) {
            parts.addObject().put("text", IMAGE_TEXT);
        }
        if (hasThoughtImage(request)) {
            inlineImage(parts.addObject(), format, imageBase + THOUGHT_IMAGE).put("thought", true);
        }
        inlineImage(parts.addObject(), format, imageBase + FINAL_IMAGE);
        candidate.put("finishReason", "STOP");
        candidate.put("index", 0);
        putUsage(body, endpoint, request, imageTokens);
        putIdentity(body, endpoint, request);
        return body;
    }

    ObjectNode geminiNoImage(Endpoint endpoint, GenerationRequest request, FaultKind fault) {
        ObjectNode body = json.objectNode();
        if (fault == FaultKind.BLOCKED) {
            body.putObject("promptFeedback").put("blockReason", "SAFETY");
        } else {
            ObjectNode candidate = body.putArray("candidates").addObject();
            ObjectNode content = candidate.putObject("content");
            content.put("role", "model");
            ArrayNode parts = content.putArray("parts");
            switch (fault) {
                case SAFETY -> {
                    candidate.put("finishReason", "IMAGE_SAFETY");
                    candidate.put("finishMessage", "Unable to show the generated image. The image was filtered out because it"
                            + " violated Google's Generative AI Prohibited Use policy. You will not be charged for blocked images. Try rephrasing the prompt.");
                }
                case PROHIBITED -> candidate.put("finishReason", "PROHIBITED_CONTENT");
                case NO_IMAGE -> {
                    candidate.put("finishReason", "NO_IMAGE");
                    candidate.put("finishMessage", "Unable to generate an image for this prompt. Try rephrasing it.");
                }
                default -> {
                    parts.addObject().put("text", TEXT_INSTEAD_OF_IMAGE);
                    candidate.put("finishReason", "STOP");
                }
            }
            if (parts.isEmpty()) {
                candidate.remove("content");
            }
            candidate.put("index", 0);
        }
        putUsage(body, endpoint, request, 0);
        putIdentity(body, endpoint, request);
        return body;
    }

    ObjectNode openRouterNoImage(GenerationRequest request, FaultKind fault) {
        String nativeReason = switch (fault) {
            case SAFETY -> "IMAGE_SAFETY";
            case PROHIBITED -> "PROHIBITED_CONTENT";
            case BLOCKED -> "SAFETY";
            case NO_IMAGE -> "NO_IMAGE";
            default -> "STOP";
        };
        boolean filtered = fault == FaultKind.SAFETY || fault == FaultKind.PROHIBITED || fault == FaultKind.BLOCKED;
        return openRouterAnswer(request, filtered ? "content_filter" : "stop", nativeReason,
                fault == FaultKind.TEXT_ONLY ? TEXT_INSTEAD_OF_IMAGE : null, 0);
    }

    /** A chat completion with one assistant choice; {@code content} null is sent as JSON null. */
    private ObjectNode openRouterAnswer(GenerationRequest request, String finishReason, String nativeFinishReason,
                                       String content, int completionTokens) {
        ObjectNode body = openRouterEnvelope(request);
        ObjectNode choice = body.putArray("choices").addObject();
        choice.putNull("logprobs");
        choice.put("finish_reason", finishReason);
        choice.put("native_finish_reason", nativeFinishReason);
        choice.put("index", 0);
        ObjectNode message = choice.putObject("message");
        message.put("role", "assistant");
        message.put("content", content);
        message.putNull("refusal");
        int promptTokens = promptTokens(request.prompt());
        ObjectNode usage = body.putObject("usage");
        usage.put("prompt_tokens", promptTokens);
        usage.put("completion_tokens", completionTokens);
        usage.put("total_tokens", promptTokens + completionTokens);
        return body;
    }

    private static ObjectNode inlineImage(ObjectNode part, ImageFormat format, int imageIndex) {
        ObjectNode inline = part.putObject("inlineData");
        inline.put("mimeType", format.mimeType());
        inline.put("data", ResponseWriter.placeholder(imageIndex));
        return part;
    }

    ObjectNode openRouterEnvelope(GenerationRequest request) {
        ObjectNode body = json.objectNode();
        body.put("id", "gen-" + options.clock().millis() + "-" + responseIds.incrementAndGet());
        body.put("provider", OPENROUTER_PROVIDER);
        body.put("model", "google/" + request.model());
        body.put("object", "chat.completion");
        body.put("created", options.clock().instant().getEpochSecond());
        return body;
    }

    private void putUsage(ObjectNode body, Endpoint endpoint, GenerationRequest request, int imageTokens) {
        int promptTokens = promptTokens(request.prompt());
        ObjectNode usage = body.putObject("usageMetadata");
        usage.put("promptTokenCount", promptTokens);
        usage.put("candidatesTokenCount", imageTokens);
        usage.put("totalTokenCount", promptTokens + imageTokens);
        ObjectNode promptDetail = usage.putArray("promptTokensDetails").addObject();
        promptDetail.put("modality", "TEXT");
        promptDetail.put("tokenCount", promptTokens);
        if (imageTokens > 0) {
            ObjectNode detail = usage.putArray("candidatesTokensDetails").addObject();
            detail.put("modality", "IMAGE");
            detail.put("tokenCount", imageTokens);
        }
        if (endpoint.isVertex()) {
            usage.put("trafficType", "ON_DEMAND");
        }
    }

    private void putIdentity(ObjectNode body, Endpoint endpoint, GenerationRequest request) {
        body.put("modelVersion", request.model());
        if (endpoint.isVertex()) {
            body.put("createTime", Instant.now(options.clock()).toString());
        }
        body.put("responseId", "sim" + Long.toString(options.clock().millis(), 36) + Long.toString(responseIds.incrementAndGet(), 36));
    }

    List<ResponseWriter.ImageSpec> images(GenerationRequest request, ImageFormat format) {
        return images(request, format, 0);
    }

    /** Placeholders used per answer by {@link #successBody(Endpoint, GenerationRequest, ImageFormat, int)}. */
    static int imagesPerAnswer() {
        return FINAL_IMAGE + 1;
    }

    List<ResponseWriter.ImageSpec> images(GenerationRequest request, ImageFormat format, int imageBase) {
        List<ResponseWriter.ImageSpec> images = new ArrayList<>(2);
        long seed = promptSeed(request);
        if (hasThoughtImage(request)) {
            Dimensions draft = ModelCatalog.pixelSize(request.model(), request.aspectRatio(), ModelCatalog.SIZE_1K).orElseThrow();
            images.add(new ResponseWriter.ImageSpec(imageBase + THOUGHT_IMAGE, draft, ~seed, ImageMode.FLAT, format));
        }
        Dimensions size = ModelCatalog.pixelSize(request.model(), request.aspectRatio(), request.imageSize()).orElseThrow();
        images.add(new ResponseWriter.ImageSpec(imageBase + FINAL_IMAGE, size, seed, options.imageMode(), format));
        return images;
    }

    private boolean hasThoughtImage(GenerationRequest request) {
        return options.thoughtImages() && request.model().startsWith("gemini-3-pro-image");
    }

    /** Same prompt and settings, same pixels: the seed is a hash of what determines the image. */
    private static long promptSeed(GenerationRequest request) {
        long hash = 1125899906842597L;
        String key = request.model() + '\n' + request.aspectRatio() + '\n' + request.imageSize() + '\n' + request.prompt();
        for (int i = 0; i < key.length(); i++) {
            hash = 31 * hash + key.charAt(i);
        }
        return hash;
    }

    /** Roughly 4 characters a token, as Google's tokenizer averages on English. */
    private static int promptTokens(String prompt) {
        return Math.max(1, (prompt.length() + 3) / 4);
    }
}
