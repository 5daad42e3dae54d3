package io.github.geminiimagebatch.provider;

import io.github.geminiimagebatch.config.ProviderSettings;
import io.github.geminiimagebatch.config.ProviderType;
import io.github.geminiimagebatch.gemini.VertexCredentials;
import io.github.geminiimagebatch.quota.ProviderQuota;
import io.github.geminiimagebatch.quota.QuotaSettings;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A configured provider at run time: its quota, its concurrency slots, its circuit breaker (which
 * counts only server-side failures: 5xx, resets, timeouts), and whether it is usable at all.
 */
public final class ProviderRuntime {

    private final ProviderSettings settings;
    private final ProviderQuota quota;
    private final Semaphore slots;
    private final CircuitBreaker breaker;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final java.util.concurrent.atomic.AtomicBoolean probing = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile boolean answeredOnce;
    private volatile String unusableReason;
    private volatile VertexCredentials vertexCredentials;

    public ProviderRuntime(ProviderSettings settings, ZoneId resetZone, Clock clock) {
        this.settings = settings;
        QuotaSettings defaults = QuotaSettings.unlimited();
        this.quota = new ProviderQuota(settings.name(), new QuotaSettings(settings.requestLimits(),
                settings.imageLimits(), resetZone, defaults.windowMargin()), clock);
        this.slots = new Semaphore(settings.maxConcurrency(), true);
        this.breaker = CircuitBreaker.of(settings.name(), CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(20)
                .minimumNumberOfCalls(10)
                .failureRateThreshold(60)
                .waitDurationInOpenState(Duration.ofSeconds(30))
                .permittedNumberOfCallsInHalfOpenState(2)
                .automaticTransitionFromOpenToHalfOpenEnabled(true)
                .clock(clock)
                .build());
    }

    public String name() {
        return settings.name();
    }

    public ProviderSettings settings() {
        return settings;
    }

    public ProviderQuota quota() {
        return quota;
    }

    public Semaphore slots() {
        return slots;
    }

    public CircuitBreaker breaker() {
        return breaker;
    }

    /**
     * Whether a call may start now. Until the provider has answered once, one call at a time: the
     * first requests of a cold process (class loading, first connection) reach the server up to a
     * second after they were sent, which would make the next window open early on our side; and a
     * refused key or a used-up day then costs one request, not a burst. Pair with {@link #endCall}.
     */
    public boolean startCall() {
        return answeredOnce || probing.compareAndSet(false, true);
    }

    /**
     * A call started with {@link #startCall} ended, or was not made; {@code answered}: the provider
     * answered over HTTP. Returns true for the provider's first answer ever.
     */
    public boolean endCall(boolean answered) {
        boolean first = answered && !answeredOnce;
        if (answered) {
            answeredOnce = true;
        }
        probing.set(false);
        return first;
    }

    public int inFlight() {
        return inFlight.get();
    }

    public AtomicInteger inFlightCounter() {
        return inFlight;
    }

    public String unusableReason() {
        return unusableReason;
    }

    public boolean usable() {
        return unusableReason == null;
    }

    public void markUnusable(String reason) {
        if (unusableReason == null) {
            unusableReason = reason;
        }
    }

    /** OAuth2 bearer token for Vertex AI; the credentials are loaded on first use and refreshed by Google's library. */
    public String bearerToken() throws IOException {
        if (settings.type() != ProviderType.VERTEX) {
            throw new IllegalStateException("provider " + name() + " is not a Vertex AI provider");
        }
        VertexCredentials credentials = vertexCredentials;
        if (credentials == null) {
            synchronized (this) {
                if (vertexCredentials == null) {
                    vertexCredentials = settings.credentialsFile() != null
                            ? VertexCredentials.fromServiceAccountFile(settings.credentialsFile())
                            : VertexCredentials.applicationDefault();
                }
                credentials = vertexCredentials;
            }
        }
        return credentials.bearerToken();
    }

    /** The Vertex project: configured, else the service account's own project. */
    public String vertexProject() throws IOException {
        if (settings.project() != null) {
            return settings.project();
        }
        bearerToken();
        String project = vertexCredentials.projectId();
        if (project == null) {
            throw new IOException("imagegen.provider." + name() + ".project is not set and the credentials name no project");
        }
        return project;
    }
}
