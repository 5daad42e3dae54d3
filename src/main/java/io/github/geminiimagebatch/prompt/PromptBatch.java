package io.github.geminiimagebatch.prompt;

import java.nio.file.Path;
import java.util.List;

/**
 * A prompt file read as a batch.
 *
 * @param name   the {@link SafeNames#batchName sanitised} base name: the outbox folder of this batch
 * @param source the prompt file as it was passed to the reader
 * @param items  every item in file order, valid and invalid; never empty
 * @param retryOf the batch folder whose failed items this file retries (the {@code batch} field of its lines, as
 *                in {@code failed.jsonl}); null for a batch of its own
 */
public record PromptBatch(String name, Path source, List<PromptItem> items, String retryOf) {

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
