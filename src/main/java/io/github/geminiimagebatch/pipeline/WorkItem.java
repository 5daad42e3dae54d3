package io.github.geminiimagebatch.pipeline;

import io.github.geminiimagebatch.gemini.DecodedResponse;
import io.github.geminiimagebatch.gemini.ImageRequest;
import io.github.geminiimagebatch.prompt.PromptItem;

import java.time.Instant;

/**
 * One prompt on its way through the item route: what to ask for, and what happened so far. Mutated
 * only by the thread that carries its exchange; its status and stored image are also read by the
 * status page, hence volatile.
 */
public final class WorkItem {

    public enum Status { WORKING, OK, SKIPPED, FAILED, PENDING }

    private final BatchRun batch;
    private final PromptItem prompt;
    private final ImageRequest request;
    private final String requestKey;

    private volatile Status status = Status.WORKING;
    private String reasonClass;
    private String message;
    private String provider;
    private boolean dispatched;
    private String providerType;
    private String wireModel;
    private int attempts;
    private int transientFailures;
    private int failuresOfItsOwn;
    private int throttles;
    private long callStartNanos;
    private long latencyMillis;
    private DecodedResponse result;
    private volatile String storedImage;
    private String batchJob;
    private final java.util.Set<String> skippedProviders = new java.util.HashSet<>();
    private double costUsd;
    private Instant finishedAt;
    private String instance;
    private Instant retryNotBefore;
    private String lastServerErrorProvider;
    private boolean paidEarlier;

    public WorkItem(BatchRun batch, PromptItem prompt, ImageRequest request, String requestKey) {
        this.batch = batch;
        this.prompt = prompt;
        this.request = request;
        this.requestKey = requestKey;
    }

    public BatchRun getBatch() {
        return batch;
    }

    public PromptItem getPrompt() {
        return prompt;
    }

    public String getId() {
        return prompt.id();
    }

    public ImageRequest getRequest() {
        return request;
    }

    public String getRequestKey() {
        return requestKey;
    }

    /** True while the item still needs a provider call (the item route loops on this). */
    public boolean isUnsettled() {
        return status == Status.WORKING && result == null;
    }

    /** A provider slot was granted for the next attempt. */
    public boolean isDispatched() {
        return dispatched && status == Status.WORKING && result == null;
    }

    /** A provider slot is held for this item until the route releases it. */
    public boolean holdsSlot() {
        return dispatched;
    }

    /** An image came back and waits to be stored. */
    public boolean isImageReady() {
        return status == Status.WORKING && result != null;
    }

    public Status getStatus() {
        return status;
    }

    public String getReasonClass() {
        return reasonClass;
    }

    public String getMessage() {
        return message;
    }

    public String getProvider() {
        return provider;
    }

    public String getProviderType() {
        return providerType;
    }

    public String getWireModel() {
        return wireModel;
    }

    public int getAttempts() {
        return attempts;
    }

    /** Every server error this item met; its retry backoff grows with them. */
    public int getTransientFailures() {
        return transientFailures;
    }

    /** The server errors that count toward {@code imagegen.retry.maxAttempts}: those met on a provider that was not overloaded. */
    public int getFailuresOfItsOwn() {
        return failuresOfItsOwn;
    }

    public int getThrottles() {
        return throttles;
    }

    public long getLatencyMillis() {
        return latencyMillis;
    }

    public DecodedResponse getResult() {
        return result;
    }

    public String getStoredImage() {
        return storedImage;
    }

    public double getCostUsd() {
        return costUsd;
    }

    public Instant getFinishedAt() {
        return finishedAt;
    }

    /** The instance ({@code imagegen.instance}) that worked on this item. */
    public String getInstance() {
        return instance;
    }

    void workedOnBy(String instanceName) {
        this.instance = instanceName;
    }

    /**
     * How this item settled, for the batch's owner when another instance worked on it. Its cost is what was spent
     * now: the owner counted a kept answer's cost when the attempt that paid for it reported.
     */
    public ItemResult result() {
        return new ItemResult(status, reasonClass, message, storedImage, provider, providerType, instance,
                getSpentNowUsd(), attempts, finishedAt);
    }

    /** Takes over what another instance reports: the item is settled as it says. */
    void settledElsewhere(ItemResult r) {
        this.provider = r.provider();
        this.providerType = r.providerType();
        this.instance = r.instance();
        this.costUsd = r.costUsd();
        this.attempts = r.attempts();
        this.storedImage = r.image();
        settle(r.status(), r.reason(), r.message(), r.finishedAt());
    }

    /** When this item may be sent again after a server error of its own, or null. */
    public Instant getRetryNotBefore() {
        return retryNotBefore;
    }

    /** The provider this item last met a server error on, or null. */
    public String getLastServerErrorProvider() {
        return lastServerErrorProvider;
    }

    /** A server error on {@code providerName}: the item is sent again not before {@code retryAt}. */
    void serverErrorOn(String providerName, Instant retryAt) {
        this.lastServerErrorProvider = providerName;
        this.retryNotBefore = retryAt;
    }

    /** The Gemini Batch API job whose result this attempt carries, or null for an interactive call. */
    public String getBatchJob() {
        return batchJob;
    }

    /** Later attempts of this item go to the providers after this one (a batch job's failed line retried interactively). */
    public void skipProvider(String providerName) {
        skippedProviders.add(providerName);
    }

    public boolean skips(String providerName) {
        return skippedProviders.contains(providerName);
    }

    /** This attempt's result came from a Gemini Batch API job. */
    public void answeredByBatchJob(String jobName) {
        this.batchJob = jobName;
    }

    void dispatchTo(String providerName, String type, String model) {
        this.provider = providerName;
        this.dispatched = true;
        this.providerType = type;
        this.wireModel = model;
        this.attempts++;
        this.batchJob = null;
        this.callStartNanos = System.nanoTime();
    }

    void callEnded() {
        this.latencyMillis = (System.nanoTime() - callStartNanos) / 1_000_000;
    }

    /** The slot is given back; the next loop turn chooses a provider again. */
    void undispatch() {
        this.dispatched = false;
    }

    /** A server error; {@code providerOverloaded}: the provider was already held back by its errors when it came. */
    void countTransientFailure(boolean providerOverloaded) {
        transientFailures++;
        if (!providerOverloaded) {
            failuresOfItsOwn++;
        }
    }

    void countThrottle() {
        throttles++;
    }

    /**
     * The answer of an earlier attempt (this run's or an earlier process's) was kept because it could not be
     * stored; this item stores it, with what that attempt recorded, and sends nothing.
     */
    void answeredEarlier(String providerName, String type, String model, int attemptsMade, double cost, long latency,
                         String job) {
        this.provider = providerName;
        this.providerType = type;
        this.wireModel = model;
        this.attempts = attemptsMade;
        this.costUsd = cost;
        this.latencyMillis = latency;
        this.batchJob = job;
        this.paidEarlier = true;
    }

    /** What this item spent in this reading of its file: nothing when it stores an answer paid for earlier. */
    public double getSpentNowUsd() {
        return paidEarlier ? 0 : costUsd;
    }

    void resultArrived(DecodedResponse decoded, double cost) {
        this.result = decoded;
        this.costUsd = cost;
    }

    void settle(Status finalStatus, String reason, String text, Instant at) {
        this.status = finalStatus;
        this.reasonClass = reason;
        this.message = text;
        this.finishedAt = at;
    }

    void stored(String imageLocation) {
        this.storedImage = imageLocation;
    }

    @Override
    public String toString() {
        return batch.getName() + "/" + prompt.id();
    }
}
