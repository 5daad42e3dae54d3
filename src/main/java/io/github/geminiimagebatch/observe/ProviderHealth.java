package io.github.geminiimagebatch.observe;

import io.github.geminiimagebatch.provider.ProviderRuntime;
import io.github.geminiimagebatch.quota.QuotaSnapshot;
import io.github.geminiimagebatch.secret.Secrets;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A provider's health as an operator sees it. A provider is DOWN when it cannot take requests for
 * a while: its credentials were refused or it has no quota for the model (unusable), its circuit
 * breaker is open after repeated server errors, or a per-day quota is used up until the reset.
 * A short pause after a 429 is normal pacing and stays UP, with the pause in the details.
 *
 * @param up      true when the provider takes requests now or after a short pause
 * @param state   open, paused, closed, circuit_open or unusable
 * @param message one sentence for the operator
 * @param details state, in-flight count, pause/closed end, quota counters; never a credential
 */
public record ProviderHealth(boolean up, String state, String message, Map<String, Object> details) {

    public static ProviderHealth of(ProviderRuntime p, Instant now) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("provider", p.name());
        details.put("type", p.settings().type().id());
        details.put("inFlight", p.inFlight());
        QuotaSnapshot q = p.quota().snapshot();
        details.put("requestsAdmitted", q.admitted());
        details.put("throttled", q.throttled());
        details.put("transientFailures", q.transientFailures());
        String reason = q.reason() == null ? null : Secrets.redact(q.reason());
        if (!p.usable()) {
            return result(false, "unusable", p.name() + " is unusable: " + Secrets.redact(p.unusableReason()), details);
        }
        if (p.breaker().getState() == CircuitBreaker.State.OPEN) {
            return result(false, "circuit_open", p.name() + " circuit open after repeated server errors", details);
        }
        if (q.closedUntil() != null && q.closedUntil().isAfter(now)) {
            if (!q.closedUntil().equals(Instant.MAX)) {
                details.put("closedUntil", q.closedUntil().toString());
            }
            return result(false, "closed", p.name() + " closed"
                    + (q.closedUntil().equals(Instant.MAX) ? "" : " until " + q.closedUntil())
                    + (reason == null ? "" : ": " + reason), details);
        }
        if (q.pausedUntil() != null && q.pausedUntil().isAfter(now)) {
            details.put("pausedUntil", q.pausedUntil().toString());
            return result(true, "paused", p.name() + " paused until " + q.pausedUntil()
                    + (reason == null ? "" : ": " + reason), details);
        }
        return result(true, "open", p.name() + " takes requests", details);
    }

    private static ProviderHealth result(boolean up, String state, String message, Map<String, Object> details) {
        details.put("state", state);
        return new ProviderHealth(up, state, message, Map.copyOf(details));
    }
}
