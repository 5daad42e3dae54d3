package io.github.geminiimagebatch.simulator;

/** Encoding of simulated images. */
public enum ImageFormat {
    PNG("image/png"),
    /** JPEG via ImageIO; always flat pixels (noise is a PNG-only mode). */
    JPEG("image/jpeg");

    private final String mimeType;

    ImageFormat(String mimeType) {
        this.mimeType = mimeType;
    }

    public String mimeType() {
        return mimeType;
    }

    /** The format for a requested output mime type (Vertex imageConfig.outputMimeType), if it is one we render. */
    static java.util.Optional<ImageFormat> forMimeType(String mimeType) {
        for (ImageFormat format : values()) {
            if (format.mimeType.equalsIgnoreCase(mimeType)) {
                return java.util.Optional.of(format);
            }
        }
        return java.util.Optional.empty();
    }
}
