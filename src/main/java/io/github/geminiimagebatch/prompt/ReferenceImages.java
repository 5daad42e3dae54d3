package io.github.geminiimagebatch.prompt;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** The image types Gemini accepts as inline reference parts, recognised by file extension. */
public final class ReferenceImages {

    private static final Map<String, String> MIME_TYPE_BY_EXTENSION = Map.of(
            "png", "image/png",
            "jpg", "image/jpeg",
            "jpeg", "image/jpeg",
            "webp", "image/webp",
            "heic", "image/heic",
            "heif", "image/heif");

    /** How messages list the accepted extensions. */
    static final String ACCEPTED_EXTENSIONS = ".png, .jpg, .jpeg, .webp, .heic or .heif";

    private ReferenceImages() {
    }

    /**
     * The {@code inlineData.mimeType} to send for a reference image, from its extension (any case);
     * empty for a file the reader would not have accepted.
     */
    public static Optional<String> mimeType(Path image) {
        Path fileName = image.getFileName();
        if (fileName == null) {
            return Optional.empty();
        }
        String name = fileName.toString();
        int dot = name.lastIndexOf('.');
        if (dot < 0) {
            return Optional.empty();
        }
        return Optional.ofNullable(MIME_TYPE_BY_EXTENSION.get(name.substring(dot + 1).toLowerCase(Locale.ROOT)));
    }
}
