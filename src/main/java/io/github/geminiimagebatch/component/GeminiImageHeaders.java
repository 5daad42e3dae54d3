package io.github.geminiimagebatch.component;

/** The message headers of {@code gemini-image:generate}, as named in the product contract. */
public final class GeminiImageHeaders {

    /** In and out: the model (in: overrides the endpoint's {@code model} for one message). */
    public static final String MODEL = "GeminiImageModel";
    /** In: overrides the endpoint's {@code aspectRatio} for one message. */
    public static final String ASPECT_RATIO = "GeminiImageAspectRatio";
    /** In: overrides the endpoint's {@code imageSize} for one message. */
    public static final String SIZE = "GeminiImageSize";
    public static final String MIME_TYPE = "GeminiImageMimeType";
    public static final String WIDTH = "GeminiImageWidth";
    public static final String HEIGHT = "GeminiImageHeight";
    public static final String SHA256 = "GeminiImageSha256";
    public static final String PROVIDER = "GeminiImageProvider";
    public static final String COST_USD = "GeminiImageCostUsd";
    public static final String REQUEST_KEY = "GeminiImageRequestKey";
    public static final String FILE_EXTENSION = "GeminiImageFileExtension";

    private GeminiImageHeaders() {
    }
}
