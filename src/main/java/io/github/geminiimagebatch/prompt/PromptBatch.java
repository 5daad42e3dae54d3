package io.github.geminiimagebatch.prompt;

import java.nio.file.Path;
import java.util.List;

/**
 * A prompt file read as a batch.
 *
 * @param name   the {@link SafeNames#batchName sanitised} base name: the outbox folder of this batch
 * @param source the prompt file as it was passed to the reader
 * @param items  every item in file order, valid and invalid; never empty
 */
public record PromptBatch(String name, Path source, List<PromptItem> items) {

    public PromptBatch {
        items = List.copyOf(items);
    }

    public List<PromptItem> validItems() {
        return items.stream().filter(PromptItem::valid).toList();
    }

    public List<PromptItem> invalidItems() {
        return items.stream().filter(item -> !item.valid()).toList();
    }
}
