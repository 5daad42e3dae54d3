package io.github.geminiimagebatch.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.geminiimagebatch.model.ModelCatalog;

import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * What a generate call asks for, read from a Gemini (camelCase or snake_case, as Google's JSON parser
 * accepts both) or an OpenRouter chat-completions body, and checked the way Google checks it.
 *
 * @param model        catalog id (normalised)
 * @param prompt       the user's text parts joined by newlines; markers included
 * @param outputFormat requested output format (Vertex imageConfig.outputMimeType), if any
 */
/** @param imageOnly the request's responseModalities is ["IMAGE"]: Google answers the image part alone, no text part */
record GenerationRequest(String model, String prompt, String aspectRatio, String imageSize, Optional<ImageFormat> outputFormat,
                         boolean imageOnly) {

    static final String DEFAULT_ASPECT_RATIO = "1:1";

    /** A request Google would refuse: HTTP status, gRPC status and Google's message. */
    static final class Rejection extends Exception {
        final int httpStatus;
        final String status;

        Rejection(int httpStatus, String status, String message) {
            super(message, null, false, false);
            this.httpStatus = httpStatus;
            this.status = status;
        }
    }

    static GenerationRequest fromGemini(JsonNode body, String model) throws Rejection {
        StringBuilder prompt = new StringBuilder();
        for (JsonNode content : field(body, "contents", "contents")) {
            String role = content.path("role").asText("user");
            if (!role.equals("user")) {
                continue;
            }
            for (JsonNode part : field(content, "parts", "parts")) {
                if (part.hasNonNull("text")) {
                    prompt.append(prompt.length() == 0 ? "" : "\n").append(part.get("text").asText());
                }
            }
        }
        if (prompt.length() == 0) {
            throw new Rejection(400, "INVALID_ARGUMENT", "* GenerateContentRequest.contents: contents is not specified\n");
        }
        JsonNode imageConfig = field(field(body, "generationConfig", "generation_config"), "imageConfig", "image_config");
        String mimeType = text(imageConfig, "outputMimeType", "output_mime_type");
        Optional<ImageFormat> format = Optional.empty();
        if (mimeType != null) {
            format = Optional.of(ImageFormat.forMimeType(mimeType).orElseThrow(() -> new Rejection(400, "INVALID_ARGUMENT",
                    "Unsupported output mime type: " + mimeType + ". Supported types are image/png and image/jpeg.")));
        }
        JsonNode modalities = field(field(body, "generationConfig", "generation_config"), "responseModalities",
                "response_modalities");
        boolean imageOnly = modalities.size() == 1 && "IMAGE".equalsIgnoreCase(modalities.get(0).asText());
        return checked(model, prompt.toString(), text(imageConfig, "aspectRatio", "aspect_ratio"),
                text(imageConfig, "imageSize", "image_size"), format, imageOnly);
    }

    static GenerationRequest fromOpenRouter(JsonNode body, Set<String> servedModels) throws Rejection {
        String requestedModel = body.path("model").asText("");
        if (requestedModel.isEmpty()) {
            throw new Rejection(400, "INVALID_ARGUMENT", "No models provided");
        }
        String prompt = null;
        for (JsonNode message : body.path("messages")) {
            if (!"user".equals(message.path("role").asText())) {
                continue;
            }
            JsonNode content = message.path("content");
            StringBuilder text = new StringBuilder();
            if (content.isTextual()) {
                text.append(content.asText());
            } else {
                for (JsonNode part : content) {
                    if ("text".equals(part.path("type").asText())) {
                        text.append(text.length() == 0 ? "" : "\n").append(part.path("text").asText());
                    }
                }
            }
            prompt = text.toString();
        }
        if (prompt == null || prompt.isEmpty()) {
            throw new Rejection(400, "INVALID_ARGUMENT", "Input required: specify \"prompt\" or \"messages\"");
        }
        if (!servedModels.contains(ModelCatalog.normalise(requestedModel))) {
            throw new Rejection(400, "INVALID_ARGUMENT", requestedModel + " is not a valid model ID");
        }
        JsonNode imageConfig = body.path("image_config");
        return checked(requestedModel, prompt, text(imageConfig, "aspect_ratio", "aspectRatio"),
                text(imageConfig, "image_size", "imageSize"), Optional.empty(), false);
    }

    private static GenerationRequest checked(String requestedModel, String prompt, String aspectRatio, String imageSize,
                                             Optional<ImageFormat> format, boolean imageOnly) throws Rejection {
        String model = ModelCatalog.normalise(requestedModel);
        String ratio = aspectRatio == null ? DEFAULT_ASPECT_RATIO : aspectRatio;
        Set<String> ratios = ModelCatalog.aspectRatios(model);
        if (!ratios.contains(ratio)) {
            throw new Rejection(400, "INVALID_ARGUMENT", "Unsupported aspect ratio: " + ratio + " for model " + model
                    + ". Supported values are: " + String.join(", ", ratios) + ".");
        }
        String size = imageSize;
        if (!ModelCatalog.supportsImageSize(model)) {
            // Google ignores imageSize on gemini-2.5-flash-image and always renders its fixed table.
            size = null;
        } else if (size != null && !ModelCatalog.imageSizes(model).contains(size)) {
            String hint = size.toUpperCase(Locale.ROOT).equals(size) ? "" : " (image sizes use an upper-case K)";
            throw new Rejection(400, "INVALID_ARGUMENT", "Unsupported image size: " + size + " for model " + model
                    + ". Supported values are: " + String.join(", ", ModelCatalog.imageSizes(model)) + hint + ".");
        }
        return new GenerationRequest(model, prompt, ratio, size == null ? ModelCatalog.SIZE_1K : size, format, imageOnly);
    }

    private static JsonNode field(JsonNode node, String camelName, String snakeName) {
        JsonNode value = node.path(camelName);
        return value.isMissingNode() ? node.path(snakeName) : value;
    }

    private static String text(JsonNode node, String name, String alias) {
        JsonNode value = field(node, name, alias);
        return value.isTextual() ? value.asText() : null;
    }
}
