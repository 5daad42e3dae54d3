package io.github.geminiimagebatch.prompt;

import java.nio.file.Path;
import java.util.List;

/**
 * One prompt of a batch, valid or not. A bad item keeps an id that is unique in its batch so that
 * it still gets its own manifest line.
 *
 * @param id              unique in the batch (case-insensitively), always {@link SafeNames#isValidItemId valid}
 * @param line            1-based physical line where the item starts in its file
 * @param prompt          stripped, line breaks normalised to {@code \n}; null when missing or unreadable
 * @param aspectRatio     null when the item does not set it
 * @param imageSize       null when the item does not set it
 * @param model           null when the item does not set it
 * @param referenceImages real (symlink-free) absolute paths, all inside the inbox; empty when none
 * @param batch           the batch folder this item is a retry of (a {@code failed.jsonl} line); null for a new item
 * @param problem         null for a valid item, else one sentence naming line, field and remedy
 */
public record PromptItem(String id, int line, String prompt, String aspectRatio, String imageSize, String model,
                         List<Path> referenceImages, String batch, String problem) {

    public PromptItem {
        referenceImages = referenceImages == null ? List.of() : List.copyOf(referenceImages);
    }

    public boolean valid() {
        return problem == null;
    }

    /** The same item, failed with {@code why} (a sentence naming its line). */
    PromptItem failed(String why) {
        return new PromptItem(id, line, prompt, aspectRatio, imageSize, model, referenceImages, batch, why);
    }
}
