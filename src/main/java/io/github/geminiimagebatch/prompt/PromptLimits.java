package io.github.geminiimagebatch.prompt;

/**
 * Bounds that keep reading a prompt file cheap and predictable, whatever the file contains.
 *
 * @param maxFileBytes           a larger prompt file is rejected before it is read
 * @param maxItemsPerFile        a file with more items (valid or not) is rejected
 * @param maxPromptChars         a longer prompt (in Unicode code points) fails its item
 * @param maxReferenceImages     more reference images fail the item
 * @param maxReferenceImageBytes a larger reference image fails the item
 */
public record PromptLimits(long maxFileBytes, int maxItemsPerFile, int maxPromptChars,
                           int maxReferenceImages, long maxReferenceImageBytes) {

    /** A prompt file is held in memory while it is read; split larger ones. */
    public static final long MAX_FILE_BYTES_CEILING = 1L << 30;
    public static final long DEFAULT_MAX_FILE_BYTES = 50L * 1024 * 1024;
    public static final int DEFAULT_MAX_ITEMS_PER_FILE = 100_000;
    public static final int DEFAULT_MAX_PROMPT_CHARS = 20_000;
    /** Gemini 3 image models accept up to 14 reference images per request. */
    public static final int DEFAULT_MAX_REFERENCE_IMAGES = 14;
    /** Inline image data of one request must stay under 20 MB on the Gemini API. */
    public static final long DEFAULT_MAX_REFERENCE_IMAGE_BYTES = 20L * 1024 * 1024;

    public PromptLimits {
        requirePositive("maxFileBytes", maxFileBytes);
        if (maxFileBytes > MAX_FILE_BYTES_CEILING) {
            throw new IllegalArgumentException("maxFileBytes must be at most " + MAX_FILE_BYTES_CEILING
                    + " (a prompt file is read into memory), was " + maxFileBytes);
        }
        requirePositive("maxItemsPerFile", maxItemsPerFile);
        requirePositive("maxPromptChars", maxPromptChars);
        if (maxReferenceImages < 0) {
            throw new IllegalArgumentException("maxReferenceImages must be 0 or more, was " + maxReferenceImages);
        }
        requirePositive("maxReferenceImageBytes", maxReferenceImageBytes);
    }

    public static PromptLimits defaults() {
        return new PromptLimits(DEFAULT_MAX_FILE_BYTES, DEFAULT_MAX_ITEMS_PER_FILE, DEFAULT_MAX_PROMPT_CHARS,
                DEFAULT_MAX_REFERENCE_IMAGES, DEFAULT_MAX_REFERENCE_IMAGE_BYTES);
    }

    private static void requirePositive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, was " + value);
        }
    }
}
