package io.github.geminiimagebatch.pipeline;

import io.github.geminiimagebatch.config.RunConfig;
import io.github.geminiimagebatch.gemini.ImageRequest;
import io.github.geminiimagebatch.prompt.BatchRejectedException;
import io.github.geminiimagebatch.prompt.PromptBatch;
import io.github.geminiimagebatch.prompt.PromptItem;
import io.github.geminiimagebatch.prompt.RequestKey;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a prompt file becomes before anything is sent, decided once for the run and for {@code plan}: its
 * batch folder (claimed, or joined by a {@code failed.jsonl} retry), each item's request and key, and the
 * items settled up front — invalid input, a retry line the batch does not know, and items that failed
 * permanently before (see docs/resume.md, "Retrying failures").
 */
public final class Intake {

    static final String INVALID_INPUT = "invalid_input";
    static final String FAILED_EARLIER = "failed before and not sent again";

    private final RunConfig config;
    private final BatchFolders folders;

    private Intake(RunConfig config, BatchFolders folders) {
        this.config = config;
        this.folders = folders;
    }

    /** For the run: folders are claimed on disk. */
    static Intake forRun(RunConfig config) {
        return new Intake(config, BatchFolders.claiming(config.outbox()));
    }

    /** For a plan: the same decisions, claims kept in memory, nothing written. */
    public static Intake forPlan(RunConfig config) {
        return new Intake(config, BatchFolders.planning(config.outbox()));
    }

    /**
     * One item as the run will start it.
     *
     * @param requestKey null when the item's input is invalid
     * @param reason     the reason class of an item settled before sending ({@code invalid_input}, or the reason it
     *                   failed with before); null for an item to send or skip
     * @param message    what the manifest says about a settled item
     */
    public record Planned(PromptItem prompt, ImageRequest request, String requestKey, String reason, String message) {
        public boolean settled() {
            return reason != null;
        }

        public boolean invalid() {
            return INVALID_INPUT.equals(reason);
        }
    }

    /**
     * The folder this file's items are written to. A batch of its own claims one; a retry joins the folder its
     * lines name, which must be a batch folder of this outbox.
     *
     * @throws BatchRejectedException a retry of a batch this outbox does not have
     * @throws IOException            the folder cannot be claimed
     */
    public String folder(PromptBatch prompts) throws IOException, BatchRejectedException {
        String file = prompts.source().getFileName().toString();
        if (prompts.retryOf() == null) {
            return folders.claim(prompts.name(), file);
        }
        if (folders.owner(prompts.retryOf()).isEmpty()) {
            throw new BatchRejectedException(file + " retries batch '" + prompts.retryOf() + "' (the 'batch' field of"
                    + " its lines), but " + config.outbox().resolve(prompts.retryOf()) + " is not a batch folder; drop it"
                    + " into the inbox that feeds the outbox it came from, or remove the 'batch' fields to make it a batch"
                    + " of its own");
        }
        return prompts.retryOf();
    }

    /** The batch's record in {@code folder}: what its manifest says about each item. */
    public BatchRecord record(String folder) throws IOException {
        return BatchRecord.read(config.outbox(), folder);
    }

    /** Every item of the file with its request, settled up front where nothing is to be sent. */
    public List<Planned> items(PromptBatch prompts, String folder, BatchRecord record) {
        List<Planned> planned = new ArrayList<>(prompts.items().size());
        for (PromptItem prompt : prompts.items()) {
            planned.add(item(prompt, folder, record, prompts.retryOf() != null));
        }
        return planned;
    }

    private Planned item(PromptItem prompt, String folder, BatchRecord record, boolean retry) {
        String model = prompt.model() != null ? prompt.model() : config.defaultModel();
        String aspectRatio = prompt.aspectRatio() != null ? prompt.aspectRatio() : config.defaultAspectRatio();
        String imageSize = prompt.imageSize() != null ? prompt.imageSize() : config.defaultImageSize();
        List<Path> references = prompt.referenceImages();
        ImageRequest request = new ImageRequest(model, prompt.prompt() == null ? "" : prompt.prompt(), aspectRatio,
                imageSize, references);
        if (!prompt.valid()) {
            return new Planned(prompt, request, null, INVALID_INPUT, prompt.problem());
        }
        String key;
        try {
            key = RequestKey.ofFiles(model, prompt.prompt(), aspectRatio, imageSize, references);
        } catch (IOException e) {
            return new Planned(prompt, request, null, INVALID_INPUT, "line " + prompt.line()
                    + ": a reference image could not be read: " + e.getMessage());
        }
        if (retry) {
            Optional<String> refused = record.refusesRetry(folder, prompt.id(), key);
            if (refused.isPresent()) {
                return new Planned(prompt, request, key, INVALID_INPUT, "line " + prompt.line() + ": " + refused.get()
                        + ", so this line is not a retry of it; remove the 'batch' field (all of them in this file) to"
                        + " make these prompts a batch of their own");
            }
            return new Planned(prompt, request, key, null, null);
        }
        Optional<BatchRecord.Entry> earlier = record.entry(prompt.id()).filter(e -> e.failedFor(key));
        if (earlier.isPresent()) {
            return new Planned(prompt, request, key, earlier.get().reason(), failedEarlier(folder, earlier.get().message()));
        }
        return new Planned(prompt, request, key, null, null);
    }

    /** The earlier message, said once however often the file is dropped again. */
    private static String failedEarlier(String folder, String message) {
        String earlier = message == null ? "" : message;
        if (earlier.startsWith(FAILED_EARLIER)) {
            return earlier;
        }
        return FAILED_EARLIER + " (drop " + folder + "/failed.jsonl into the inbox to retry): " + earlier;
    }
}
