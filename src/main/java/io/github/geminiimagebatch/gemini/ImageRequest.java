package io.github.geminiimagebatch.gemini;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * What one image call asks for. {@code aspectRatio} and {@code imageSize} may be null (the model's
 * default); reference images are sent inline, in order, after the prompt text.
 */
public record ImageRequest(String model, String prompt, String aspectRatio, String imageSize, List<Path> referenceImages) {

    public ImageRequest {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(prompt, "prompt");
        referenceImages = referenceImages == null ? List.of() : List.copyOf(referenceImages);
    }
}
