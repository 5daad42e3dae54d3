package io.github.geminiimagebatch.quota;

import java.time.Duration;
import java.time.Instant;

/**
 * The part of a provider's quota state that every instance of the bundle on one project must agree
 * on: the sliding windows and calendar-day counters, the provider-wide pause after a 429, the
 * per-day close, the learned limits. {@link ProviderQuota} decides on its own state first (its
 * windows, its pauses, its adaptive rate) and puts a request it would admit to this shared state,
 * so with {@link #LOCAL_ONLY} it behaves exactly as a single instance always did.
 *
 * <p>Implementations never block for long and never throw: when the shared state cannot be
 * reached, {@link #admit} answers {@code Wait} with the reason, so nothing is sent (pacing alone
 * at the full limit would let every instance send the whole quota).
 */
public interface SharedQuota {

    /**
     * May request {@code ticket} (producing {@code images} images) go now, counting every instance?
     * Granted records it in the shared windows and counters; Wait and Closed name until when and why.
     */
    Admission admit(long ticket, int images);

    /** Request {@code ticket} left only now: count it from now in the shared windows (see {@link ProviderQuota#countFromNow}). */
    void sent(long ticket, int images);

    /** This instance paused the provider until {@code until} after a 429: every instance pauses. Only ever lengthens. */
    void paused(Instant until, String reason);

    /** This instance closed the provider until {@code until} (a per-day quota used up): every instance stops. */
    void closed(Instant until, String reason);

    /**
     * A limit learned from a 429, applied by every instance from now on.
     *
     * @param images true for an images limit, false for a requests limit
     * @param span   how long a sliding admission counts (period + margin); the period for a calendar day
     */
    void learned(boolean images, Limit limit, Duration span, String text);

    /**
     * When the n-th most recent admission (in images, or requests) that the server accepted was made,
     * counting every instance: what a learned window is measured from. This instance's newest
     * admission is taken for the refused one; it and the other instances' admissions made after it
     * are skipped. Null when not shared or fewer are known.
     */
    Instant nthMostRecentAccepted(boolean images, long n);

    /** Opens the shared state of one provider (and the model it is counted for). */
    @FunctionalInterface
    interface Source {
        SharedQuota open(String provider, String model, QuotaSettings settings);
    }

    /** One instance alone: nothing is shared, the provider's own state decides. */
    SharedQuota LOCAL_ONLY = new SharedQuota() {
        @Override
        public Admission admit(long ticket, int images) {
            return new Admission.Granted(ticket);
        }

        @Override
        public void sent(long ticket, int images) {
        }

        @Override
        public void paused(Instant until, String reason) {
        }

        @Override
        public void closed(Instant until, String reason) {
        }

        @Override
        public void learned(boolean images, Limit limit, Duration span, String text) {
        }

        @Override
        public Instant nthMostRecentAccepted(boolean images, long n) {
            return null;
        }
    };

    Source NOT_SHARED = (provider, model, settings) -> LOCAL_ONLY;
}
