package io.github.geminiimagebatch.provider;

/**
 * A Gemini Batch API job ended without results for the item (FAILED, EXPIRED, CANCELLED, or gone), or the run
 * stopped while the item waited in a job. Nothing was charged for it: the item goes back to pending with
 * {@link #reasonClass()} and the message names the job and why.
 */
public final class JobEndedException extends RuntimeException {

    private final String reasonClass;

    public JobEndedException(String reasonClass, String message) {
        super(message, null, false, false);
        this.reasonClass = reasonClass;
    }

    /** {@code batch_expired}, {@code batch_failed}, {@code batch_cancelled}, {@code batch_gone} or {@code stopped}. */
    public String reasonClass() {
        return reasonClass;
    }
}
