package io.github.geminiimagebatch.pipeline;

import io.github.geminiimagebatch.config.RunConfig;
import io.github.geminiimagebatch.output.Outputs;
import io.github.geminiimagebatch.prompt.BatchRejectedException;
import io.github.geminiimagebatch.prompt.PromptBatch;
import io.github.geminiimagebatch.prompt.PromptFileReader;
import io.github.geminiimagebatch.secret.Secrets;
import org.apache.camel.Exchange;
import org.apache.camel.component.file.GenericFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Opens a prompt file as a batch (or refuses it with a reason the user can act on) and closes it
 * when every item has settled: reports are written and the file moves to {@code inbox/.done/},
 * unless items are left pending, in which case it stays in the inbox to be picked up again.
 */
public final class Batches {

    private static final Logger LOG = LoggerFactory.getLogger(Batches.class);

    private final RunConfig config;
    private final RunState run;
    private final Outputs outputs;
    private final PromptFileReader reader;
    private final Intake intake;
    private final java.util.concurrent.atomic.AtomicLong polls = new java.util.concurrent.atomic.AtomicLong();

    public Batches(RunConfig config, RunState run, Outputs outputs) {
        this.config = config;
        this.run = run;
        this.outputs = outputs;
        this.reader = new PromptFileReader(config.promptLimits());
        this.intake = Intake.forRun(config);
    }

    /** Sets the exchange property {@code batch} and returns the work for the split (empty when refused or ignored). */
    public List<WorkItem> open(Exchange exchange) throws IOException {
        Path file = sourceFile(exchange);
        if (!PromptFileReader.isPromptFile(file)) {
            LOG.info("Ignoring {}: not a prompt file (.txt, .jsonl, .csv or .json); it stays where it is.",
                    file.getFileName());
            return List.of();
        }
        PromptBatch prompts;
        try {
            prompts = reader.read(file, config.inbox());
        } catch (BatchRejectedException e) {
            reject(file, e.getMessage());
            return List.of();
        } catch (IOException e) {
            reject(file, "Could not read " + file.getFileName() + ": " + Secrets.redact(String.valueOf(e.getMessage()))
                    + ". Check that the file is readable and drop it again.");
            return List.of();
        }
        String folder = prompts.name();
        BatchRecord record = BatchRecord.empty();
        IOException folderProblem = null;
        try {
            folder = intake.folder(prompts);
            outputs.prepareBatch(folder);
            record = intake.record(folder);
        } catch (BatchRejectedException e) {
            reject(file, e.getMessage());
            return List.of();
        } catch (IOException e) {
            folderProblem = e;
        }
        BatchRun batch = new BatchRun(folder, file, run.clock().instant(), prompts.retryOf() != null);
        batch.takenInPoll(poll(exchange));
        batch.pausedAtStart(run.pausedByProvider());
        for (Intake.Planned planned : intake.items(prompts, folder, record)) {
            WorkItem item = new WorkItem(batch, planned.prompt(), planned.request(), planned.requestKey());
            if (planned.settled()) {
                item.settle(WorkItem.Status.FAILED, planned.reason(), planned.message(), run.clock().instant());
            }
            batch.add(item);
        }
        if (folderProblem != null) {
            leaveInInbox(batch, "cannot create the batch folder for " + file.getFileName() + ": "
                    + Ledger.describe(folderProblem));
            return List.of();
        }
        run.batchStarted();
        run.queued(batch.getItems().size());
        ItemExchange.batch(exchange, batch);
        run.listener().batchOpened(batch);
        LOG.info("Batch {}: {} items from {}{}", batch.getName(), batch.getItems().size(), file.getFileName(),
                batch.isRetry() ? " (a retry: its items go back into batch " + batch.getName() + ")" : "");
        return batch.getWork();
    }

    /**
     * Numbers the inbox polls: Camel's file consumer hands over the files of one poll in order, the first with
     * batch index 0, each opened here in turn on the consumer's thread.
     */
    private long poll(Exchange exchange) {
        Integer index = exchange.getProperty(Exchange.BATCH_INDEX, Integer.class);
        if (index == null) {
            return 0;
        }
        return index == 0 ? polls.incrementAndGet() : polls.get();
    }

    public void close(Exchange exchange) throws IOException {
        BatchRun batch = ItemExchange.batch(exchange);
        if (batch != null) {
            close(batch);
        }
    }

    /**
     * An item of this batch settled on another instance (queue mode): it counts here as if done here, and its line
     * goes into the working manifest (the owner writes it, not the worker: a worker finishing a copy of the item after
     * the batch completed would add a line to the final manifest). Returns false when the batch has no such item or
     * it had settled already (a result delivered twice).
     */
    public boolean settledElsewhere(BatchRun batch, String id, ItemResult result, BatchCounters counters) {
        java.util.Optional<WorkItem> found = batch.item(id);
        if (found.isEmpty() || found.get().getStatus() != WorkItem.Status.WORKING) {
            return false;
        }
        WorkItem item = found.get();
        item.settledElsewhere(result);
        batch.add(counters);
        run.settled(item);
        if (batch.recorded(item)) {
            try {
                outputs.appendProgress(batch.getName(), BatchRun.manifestLine(item).toString());
            } catch (IOException e) {
                LOG.warn("{}: could not append to the working manifest: {}", item, e.getMessage());
            }
        }
        if (item.getStatus() == WorkItem.Status.FAILED) {
            LOG.warn("{} failed on {} ({}): {}", item, item.getInstance(), item.getReasonClass(), item.getMessage());
        }
        return true;
    }

    /** Writes the batch's reports and moves its prompt file to .done/, or leaves it in the inbox when items are pending. */
    public void close(BatchRun batch) throws IOException {
        batch.finish(run.clock().instant(), run.pausedByProvider());
        try {
            Map<String, byte[]> documents = documents(batch);
            outputs.writeBatchDocuments(batch.getName(), documents);
            documents.forEach((name, content) -> {
                if (content.length > 0) {
                    run.wrote(batch.getName() + "/" + name);
                }
            });
        } catch (IOException e) {
            run.batchEnded();
            String problem = "could not write the reports of batch " + batch.getName() + ": " + Ledger.describe(e);
            run.outputsFailed(problem);
            LOG.error("{}. {} stays in the inbox; stored images are kept and are not generated again."
                    + " Free disk space or fix the outbox folder, then run again.", problem, batch.getSource().getFileName());
            return;
        }
        run.batchEnded();
        long pending = batch.count(WorkItem.Status.PENDING) + batch.count(WorkItem.Status.WORKING);
        String summary = String.format(Locale.ROOT, "Batch %s finished: %d ok, %d skipped, %d failed, %d pending of %d; %.2f USD",
                batch.getName(), batch.count(WorkItem.Status.OK), batch.count(WorkItem.Status.SKIPPED),
                batch.count(WorkItem.Status.FAILED), pending, batch.getItems().size(), batch.cost())
                + pauses(batch.pausedSeconds());
        if (pending > 0) {
            LOG.warn("{}. {} stays in the inbox so the pending items are sent next time.", summary,
                    batch.getSource().getFileName());
        } else {
            Path done = moveAside(batch.getSource(), ".done");
            LOG.info("{}. Moved the prompt file to {}.", summary, config.inbox().relativize(done));
        }
    }

    /**
     * The batch's documents as they are now. A retry reads the record it joins when it closes, not when it opened:
     * the original file may have been finished in between.
     */
    private Map<String, byte[]> documents(BatchRun batch) throws IOException {
        Path outbox = config.outbox();
        Map<String, byte[]> documents = new LinkedHashMap<>();
        documents.put(BatchRecord.MANIFEST, batch.manifest(BatchRecord.read(outbox, batch.getName())));
        documents.put(BatchRecord.REPORT, batch.report(run.clock().instant()));
        documents.put(BatchRecord.FAILED, batch.failedPrompts(BatchRecord.jsonLines(outbox, batch.getName(), BatchRecord.FAILED)));
        documents.put(BatchRecord.INVALID, batch.invalidInput(BatchRecord.jsonLines(outbox, batch.getName(), BatchRecord.INVALID)));
        return documents;
    }

    /** "; paused: aistudio 12.3 s" for the providers that paused during the batch, else "". */
    static String pauses(Map<String, Double> pausedSeconds) {
        if (pausedSeconds.isEmpty()) {
            return "";
        }
        StringBuilder text = new StringBuilder("; paused after 429s/server errors:");
        pausedSeconds.forEach((provider, seconds) -> text.append(' ').append(provider)
                .append(String.format(Locale.ROOT, " %.1f s", seconds)));
        return text.toString();
    }

    /**
     * The outbox cannot take this batch: nothing is sent, every item counts as pending, and the prompt
     * file stays in the inbox untouched so that the next run does it all.
     */
    private void leaveInInbox(BatchRun batch, String problem) {
        LOG.error("{}. Nothing is sent for it; {} stays in the inbox. Fix the outbox folder, then run again.",
                problem, batch.getSource().getFileName());
        run.outputsFailed(problem);
        run.queued(batch.getItems().size());
        for (WorkItem item : batch.getItems()) {
            if (item.getStatus() == WorkItem.Status.WORKING) {
                item.settle(WorkItem.Status.PENDING, "output_error", problem, run.clock().instant());
            }
            run.settled(item);
        }
    }

    /** An unexpected error while opening or closing a batch: the file goes to .failed/ with what happened, the run goes on. */
    public void crashed(Exchange exchange) throws IOException {
        Throwable error = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        String what = error == null ? "unknown error" : error.getClass().getSimpleName() + ": "
                + Secrets.redact(String.valueOf(error.getMessage()));
        LOG.error("Internal error while working on a prompt file: {}", what);
        LOG.debug("stack trace", error);
        BatchRun batch = ItemExchange.batch(exchange);
        if (batch != null) {
            run.batchEnded();
        }
        Path file = sourceFile(exchange);
        if (Files.exists(file)) {
            reject(file, "An internal error stopped work on " + file.getFileName() + " (" + what
                    + "). Items already made are kept; drop the file again to finish it, and report the error if it repeats.");
        }
    }

    private void reject(Path file, String reason) throws IOException {
        run.rejectedFile();
        Path moved = moveAside(file, ".failed");
        Path note = moved.resolveSibling(moved.getFileName() + ".error.txt");
        // A parse error may quote the file's text, and a prompt file can hold a pasted key.
        String text = Secrets.redact(reason);
        Files.writeString(note, text + System.lineSeparator(), StandardCharsets.UTF_8);
        LOG.warn("Refused {}: {} (moved to {})", file.getFileName(), text, config.inbox().relativize(moved));
    }

    /** Moves a prompt file into an inbox sub-folder without overwriting an earlier file of the same name. */
    private Path moveAside(Path file, String folder) throws IOException {
        Path dir = Files.createDirectories(config.inbox().resolve(folder));
        Path target = dir.resolve(file.getFileName());
        for (int n = 1; Files.exists(target, java.nio.file.LinkOption.NOFOLLOW_LINKS); n++) {
            target = dir.resolve(file.getFileName() + "." + n);
        }
        return Files.move(file, target, StandardCopyOption.ATOMIC_MOVE);
    }

    private static Path sourceFile(Exchange exchange) {
        Object body = exchange.getMessage().getBody();
        if (body instanceof GenericFile<?> generic && generic.getFile() instanceof File f) {
            return f.toPath();
        }
        return exchange.getMessage().getBody(File.class).toPath();
    }
}
