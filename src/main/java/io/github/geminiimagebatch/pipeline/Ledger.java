package io.github.geminiimagebatch.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.geminiimagebatch.config.ProviderType;
import io.github.geminiimagebatch.gemini.DecodedResponse;
import io.github.geminiimagebatch.gemini.ImageInfo;
import io.github.geminiimagebatch.gemini.Usage;
import io.github.geminiimagebatch.output.AnswerKeptException;
import io.github.geminiimagebatch.output.KeptAnswers;
import io.github.geminiimagebatch.output.Outputs;
import io.github.geminiimagebatch.secret.Secrets;
import io.github.geminiimagebatch.shared.ItemClaims;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The "never pay twice" book-keeping of the item route: an item whose request key already has a
 * complete output is skipped without a call; two items of the run with the same key are sent once;
 * an image counts as {@code ok} only after it and its sidecar are stored.
 */
public final class Ledger {

    private static final Logger LOG = LoggerFactory.getLogger(Ledger.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final long CLAIM_POLL_MILLIS = 250;
    private static final String KEPT_UNTIL_STORED = "The paid answer is kept in outbox/" + KeptAnswers.DIRECTORY
            + " and stored next time without a new request";

    private final RunState run;
    private final Outputs outputs;
    private final ItemClaims claims;
    private final StoredImages images;
    /** Items being generated, by request key; completed with the item once it has settled. */
    private final ConcurrentMap<String, CompletableFuture<WorkItem>> inFlightKeys = new ConcurrentHashMap<>();
    /**
     * Request keys that failed for good, with the latest inbox poll whose file failed them: a duplicate from a
     * file taken in that poll or before is the same request of the same run's view (what {@code plan} counts
     * once) and fails without being sent again, even when it comes after the first has settled; a file taken
     * in a later poll (a retry dropped afterwards) is sent.
     */
    private final ConcurrentMap<String, FailedRequest> failedInPoll = new ConcurrentHashMap<>();
    /** Beyond this many, the failures of earlier polls are forgotten (a service runs for weeks). */
    private static final int FAILED_KEPT = 10_000;

    /** What a later duplicate needs of a request that failed for good (not the item: it holds its whole batch). */
    private record FailedRequest(long poll, String item, String reasonClass, String message) {
    }

    public Ledger(RunState run, Outputs outputs) {
        this(run, outputs, ItemClaims.LOCAL_ONLY);
    }

    /** @param claims which instance generates which item, when several share one project */
    public Ledger(RunState run, Outputs outputs, ItemClaims claims) {
        this.run = run;
        this.outputs = outputs;
        this.claims = claims;
        this.images = new StoredImages(outputs, run.providers().stream()
                .anyMatch(p -> p.settings().type() == ProviderType.SIMULATOR));
    }

    /** Takes the split's body as the item of this exchange and settles it at once if nothing needs sending. */
    public void begin(Exchange exchange) throws IOException, InterruptedException {
        WorkItem item = exchange.getMessage().getBody(WorkItem.class);
        ItemExchange.item(exchange, item);
        if (item.getStatus() != WorkItem.Status.WORKING) {
            return;
        }
        item.workedOnBy(run.instance());
        while (true) {
            Optional<String> stored;
            try {
                stored = outputs.completedImage(item.getRequestKey());
            } catch (IOException e) {
                // not knowing whether it is stored must not cost a second payment, nor fail the item for good
                String message = "could not check whether the image is already stored ("
                        + Secrets.redact(String.valueOf(e.getMessage())) + "); the item stays pending and is tried next time";
                LOG.error("{}: {}", item, message);
                item.settle(WorkItem.Status.PENDING, "output_error", message, run.clock().instant());
                run.pending("output_error", "outputs could not be read: " + Secrets.redact(String.valueOf(e.getMessage())), false);
                return;
            }
            if (stored.isPresent() && images.placeholder(stored.get())) {
                LOG.info("{}: {} was made by the simulator; generating it for real", item, stored.get());
                stored = Optional.empty();
            }
            if (stored.isPresent()) {
                item.stored(stored.get());
                item.settle(WorkItem.Status.SKIPPED, null, "already generated: " + stored.get(), run.clock().instant());
                return;
            }
            FailedRequest failed = failedInPoll.get(item.getRequestKey());
            long poll = item.getBatch().getPoll();
            if (failed != null && poll > 0 && poll <= failed.poll()) {
                settleAsFailedBefore(item, failed.item(), failed.reasonClass(), failed.message());
                return;
            }
            CompletableFuture<WorkItem> mine = new CompletableFuture<>();
            CompletableFuture<WorkItem> other = inFlightKeys.putIfAbsent(item.getRequestKey(), mine);
            if (other == null) {
                ItemExchange.keyClaim(exchange, mine);
                claimAcrossInstances(exchange, item);
                if (item.getStatus() == WorkItem.Status.WORKING) {
                    lookForKeptAnswer(exchange, item);
                }
                return;
            }
            WorkItem first;
            try {
                first = other.get();
            } catch (java.util.concurrent.ExecutionException unexpected) {
                // look again, and claim the key if still free
                continue;
            }
            if (first.getStatus() == WorkItem.Status.FAILED) {
                // the same request failed for good a moment ago: asking again in this run asks the same question
                settleAsFailedBefore(item, first.toString(), first.getReasonClass(), first.getMessage());
                return;
            }
            // stored (skipped on the next look) or left pending (claimed and tried here)
        }
    }

    /**
     * Once this item holds its key (here and among instances), an answer paid for earlier and kept because it
     * could not be stored is stored instead of a new request; a placeholder of the built-in simulator is not,
     * while the run has no simulator provider.
     */
    private void lookForKeptAnswer(Exchange exchange, WorkItem item) {
        Optional<KeptAnswers.Kept> kept;
        try {
            kept = outputs.keptAnswer(item.getRequestKey());
            if (kept.isPresent() && images.placeholderAnswer(kept.get())) {
                // free, and never a stand-in for a real image: dropped, so it cannot be stored over the real one later
                LOG.info("{}: the kept answer was made by the simulator; generating it for real", item);
                outputs.discardKept(item.getRequestKey());
                kept = Optional.empty();
            }
        } catch (IOException e) {
            String message = "could not read the answer kept in " + KeptAnswers.DIRECTORY + " ("
                    + Secrets.redact(String.valueOf(e.getMessage())) + "); the item stays pending and is tried next time";
            LOG.error("{}: {}", item, message);
            item.settle(WorkItem.Status.PENDING, "output_error", message, run.clock().instant());
            run.pending("output_error", "kept answers could not be read: " + Secrets.redact(String.valueOf(e.getMessage())), false);
            return;
        }
        kept.ifPresent(answer -> {
            JsonNode facts = answer.sidecar();
            ItemExchange.keptAnswer(exchange, answer);
            item.answeredEarlier(facts.path("provider").asText(null), facts.path("providerType").asText(null),
                    facts.path("wireModel").asText(null), facts.path("attempts").asInt(0), facts.path("costUsd").asDouble(0),
                    facts.path("latencyMs").asLong(0), facts.path("batchJob").asText(null));
        });
    }

    private void settleAsFailedBefore(WorkItem item, String first, String reasonClass, String message) {
        item.settle(WorkItem.Status.FAILED, reasonClass, "the same request failed in this run (" + first + "): " + message,
                run.clock().instant());
    }

    /**
     * Waits until this instance holds the item's key among all instances, or settles the item: skipped
     * when another instance already made the image, pending when the run stops first. While the shared
     * store is down, or another instance works on the key, it waits (nothing is sent meanwhile).
     */
    private void claimAcrossInstances(Exchange exchange, WorkItem item) throws InterruptedException {
        String waitingFor = null;
        while (true) {
            if (run.stopping()) {
                String message = "the run was stopped before this item was sent; it is sent next time";
                item.settle(WorkItem.Status.PENDING, "stopped", message, run.clock().instant());
                run.pending("stopped", message, false);
                return;
            }
            ItemClaims.Claim claim = claims.claim(item.getRequestKey());
            if (claim instanceof ItemClaims.Mine) {
                ItemExchange.sharedClaimHeld(exchange);
                return;
            }
            if (claim instanceof ItemClaims.Done done) {
                item.settle(WorkItem.Status.SKIPPED, null, "already generated by instance " + done.instance() + ": "
                        + done.image(), run.clock().instant());
                return;
            }
            if (claim instanceof ItemClaims.Held held && !held.instance().equals(waitingFor)) {
                waitingFor = held.instance();
                LOG.info("{}: instance {} is generating the same image; waiting for it", item, held.instance());
            }
            Thread.sleep(CLAIM_POLL_MILLIS);
        }
    }

    /** Stores the image with its sidecar in every sink; only then is the item {@code ok}. */
    public void store(Exchange exchange) {
        WorkItem item = ItemExchange.item(exchange);
        DecodedResponse result = item.getResult();
        String extension = ImageInfo.extensionFor(result.mimeType());
        try {
            byte[] sidecar = sidecar(item, result);
            outputs.storeItem(item.getBatch().getName(), item.getId(), result.imageFile(), extension,
                    result.mimeType(), item.getRequestKey(), sidecar);
            item.stored(item.getBatch().getName() + "/" + item.getId() + "." + extension);
            item.settle(WorkItem.Status.OK, null, null, run.clock().instant());
        } catch (AnswerKeptException e) {
            LOG.info("{}: kept the paid answer in {} until it can be stored", item, e.keptAt());
            notStored(item, describe(e.storeFailure()), KEPT_UNTIL_STORED);
        } catch (IOException e) {
            notStored(item, describe(e), "The answer could not be kept either, so the item is generated again next time");
            deleteQuietly(result);
        }
    }

    /** Stores the answer kept from an earlier attempt instead of asking again; only then is the item {@code ok}. */
    public void storeKept(Exchange exchange) {
        WorkItem item = ItemExchange.item(exchange);
        KeptAnswers.Kept kept = ItemExchange.keptAnswer(exchange);
        try {
            item.stored(outputs.storeKept(item.getBatch().getName(), item.getId(), item.getRequestKey(), kept));
            item.settle(WorkItem.Status.OK, null, "stored the answer paid for earlier and kept in "
                    + KeptAnswers.DIRECTORY + "; nothing was sent", run.clock().instant());
            LOG.info("{}: stored the answer kept since it could not be stored earlier; no request sent", item);
        } catch (IOException e) {
            notStored(item, describe(e), KEPT_UNTIL_STORED);
        }
    }

    private void notStored(WorkItem item, String problem, String afterwards) {
        String message = "could not store the image: " + problem + ". The item stays pending. " + afterwards
                + "; no further requests are sent in this run. Free disk space or fix the outbox folder, then run again";
        LOG.error("{}: {}", item, message);
        item.settle(WorkItem.Status.PENDING, "output_error", message, run.clock().instant());
        run.outputsFailed("cannot write to the outbox: " + problem);
    }

    /** A defect or an unexpected error in the item route: the item fails with what happened, the batch goes on. */
    public void crashed(Exchange exchange) {
        WorkItem item = ItemExchange.item(exchange);
        Throwable error = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        String what = error == null ? "unknown error" : error.getClass().getSimpleName() + ": "
                + Secrets.redact(String.valueOf(error.getMessage()));
        if (item == null) {
            LOG.error("An item could not even be started: {}", what);
            return;
        }
        LOG.error("{}: unexpected error, the item fails: {}", item, what);
        LOG.debug("stack trace", error);
        if (item.getStatus() == WorkItem.Status.WORKING) {
            item.settle(WorkItem.Status.FAILED, "internal_error", what, run.clock().instant());
        }
    }

    /** Records the settled item: manifest line, run totals, and frees its key for duplicates waiting on it. */
    public void finish(Exchange exchange) {
        WorkItem item = ItemExchange.item(exchange);
        if (item.getStatus() == WorkItem.Status.WORKING) {
            item.settle(WorkItem.Status.PENDING, "interrupted", "not finished when the run stopped", run.clock().instant());
        }
        if (item.getResult() != null && item.getStatus() != WorkItem.Status.OK) {
            deleteQuietly(item.getResult());
        }
        // the owner of a batch on a work queue writes its lines as results arrive (Batches.settledElsewhere)
        if (!item.getBatch().isOwnedElsewhere() && item.getBatch().recorded(item)) {
            try {
                outputs.appendProgress(item.getBatch().getName(), BatchRun.manifestLine(item).toString());
            } catch (IOException e) {
                LOG.warn("{}: could not append to the working manifest: {}", item, e.getMessage());
            }
        }
        if (item.getBatch().isOwnedElsewhere()) {
            // the batch's owner counts it in its run when the result arrives; metrics show what this process made
            run.listener().settled(item.getProvider(), item.getStatus(), item.getSpentNowUsd());
        } else {
            run.settled(item);
        }
        if (ItemExchange.holdsSharedClaim(exchange)) {
            // the built-in simulator's placeholders are free and must not stand in for real images later
            boolean made = item.getStatus() == WorkItem.Status.OK
                    && !ProviderType.SIMULATOR.id().equals(item.getProviderType());
            claims.finished(item.getRequestKey(), made ? item.getStoredImage() : null);
        }
        CompletableFuture<WorkItem> claim = ItemExchange.keyClaim(exchange);
        if (claim != null) {
            long poll = item.getBatch().getPoll();
            if (item.getStatus() == WorkItem.Status.FAILED && poll > 0) {
                if (failedInPoll.size() >= FAILED_KEPT) {
                    failedInPoll.values().removeIf(f -> f.poll() < poll);
                }
                failedInPoll.merge(item.getRequestKey(), new FailedRequest(poll, item.toString(), item.getReasonClass(),
                        item.getMessage()), (earlier, now) -> now.poll() >= earlier.poll() ? now : earlier);
            } else if (item.getStatus() == WorkItem.Status.OK) {
                failedInPoll.remove(item.getRequestKey());
            }
            inFlightKeys.remove(item.getRequestKey(), claim);
            claim.complete(item);
        }
        if (item.getStatus() == WorkItem.Status.FAILED) {
            LOG.warn("{} failed ({}): {}", item, item.getReasonClass(), item.getMessage());
        } else if (LOG.isDebugEnabled()) {
            LOG.debug("{} {}", item, item.getStatus());
        }
    }

    private byte[] sidecar(WorkItem item, DecodedResponse result) throws IOException {
        ObjectNode s = JSON.createObjectNode();
        s.put("batch", item.getBatch().getName());
        s.put("id", item.getId());
        s.put("prompt", item.getRequest().prompt());
        s.put("model", item.getRequest().model());
        s.put("wireModel", item.getWireModel());
        s.put("provider", item.getProvider());
        s.put("providerType", item.getProviderType());
        if (item.getBatchJob() != null) {
            s.put("mode", "batch");
            s.put("batchJob", item.getBatchJob());
        }
        s.put("aspectRatio", item.getRequest().aspectRatio());
        s.put("imageSize", item.getRequest().imageSize());
        s.put("mimeType", result.mimeType());
        if (result.width() != null) {
            s.put("width", result.width());
            s.put("height", result.height());
        }
        s.put("bytes", result.bytes());
        s.put("sha256", result.sha256());
        Usage usage = result.usage();
        if (usage != null) {
            ObjectNode u = s.putObject("usage");
            putIfPresent(u, "promptTokens", usage.promptTokens());
            putIfPresent(u, "candidatesTokens", usage.candidatesTokens());
            putIfPresent(u, "imageTokens", usage.imageTokens());
            putIfPresent(u, "totalTokens", usage.totalTokens());
        }
        s.put("costUsd", item.getCostUsd());
        s.put("attempts", item.getAttempts());
        s.put("latencyMs", item.getLatencyMillis());
        s.put("finishReason", result.finishReason());
        if (result.modelVersion() != null) {
            s.put("modelVersion", result.modelVersion());
        }
        if (result.responseId() != null) {
            s.put("responseId", result.responseId());
        }
        s.put("requestKey", item.getRequestKey());
        s.put("instance", run.instance());
        s.put("time", run.clock().instant().toString());
        if (!item.getRequest().referenceImages().isEmpty()) {
            var refs = s.putArray("referenceImages");
            item.getPrompt().referenceImages().forEach(r -> refs.add(r.getFileName().toString()));
        }
        return s.toPrettyString().getBytes(StandardCharsets.UTF_8);
    }

    /** The file-system exceptions carry the path in getFile(), not always in the message. */
    static String describe(IOException e) {
        String what;
        if (e instanceof java.nio.file.FileSystemException fs) {
            String reason = fs.getReason() != null ? fs.getReason()
                    : e instanceof java.nio.file.FileAlreadyExistsException ? "something else already has that name"
                    : e instanceof java.nio.file.NoSuchFileException ? "no such file or folder"
                    : e instanceof java.nio.file.AccessDeniedException ? "permission denied"
                    : e instanceof java.nio.file.DirectoryNotEmptyException ? "a folder of that name is in the way"
                    : e.getClass().getSimpleName();
            what = reason + " (" + fs.getFile() + (fs.getOtherFile() != null ? " -> " + fs.getOtherFile() : "") + ")";
        } else {
            what = String.valueOf(e.getMessage());
        }
        return Secrets.redact(what);
    }

    private static void putIfPresent(ObjectNode node, String field, Integer value) {
        if (value != null) {
            node.put(field, value);
        }
    }

    private static void deleteQuietly(DecodedResponse result) {
        if (result.imageFile() != null) {
            try {
                Files.deleteIfExists(result.imageFile());
            } catch (IOException ignored) {
                // a stale temporary file in outbox/.tmp is harmless; it is cleared at start-up
            }
        }
    }
}
