package io.github.geminiimagebatch.quota;

import java.time.Instant;

/** What {@link ProviderQuota#tryAdmit(int)} decided about one request. */
public sealed interface Admission permits Admission.Granted, Admission.Wait, Admission.Closed {

    /**
     * Send it now; the request (and its images) is already counted in every window. Pass
     * {@code ticket} to {@link ProviderQuota#countFromNow(long)} when the request actually leaves.
     */
    record Granted(long ticket) implements Admission {
    }

    /** Ask again at {@code until} (or earlier if woken); {@code reason} says which limit or pause holds it. */
    record Wait(Instant until, String reason) implements Admission {
    }

    /**
     * The provider cannot serve before {@code until}: a per-day quota is used up until the next
     * reset, or the provider is unusable ({@code Instant.MAX}: zero quota, bad credentials).
     * Fail over, or leave the work pending.
     */
    record Closed(Instant until, String reason) implements Admission {
        public boolean forever() {
            return until.equals(Instant.MAX);
        }
    }
}
