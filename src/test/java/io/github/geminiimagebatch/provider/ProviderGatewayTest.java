package io.github.geminiimagebatch.provider;

import io.github.geminiimagebatch.config.ProviderSettings;
import io.github.geminiimagebatch.config.ProviderType;
import io.github.geminiimagebatch.gemini.ImageRequest;
import io.github.geminiimagebatch.quota.FailureClassifier;
import io.github.geminiimagebatch.quota.FailureKind;
import io.github.geminiimagebatch.quota.Limit;
import io.github.geminiimagebatch.quota.ProviderFailure;
import io.github.geminiimagebatch.testing.MutableClock;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The gateway's reservations across providers in failover order, what a permit holds, and how settling changes state. */
class ProviderGatewayTest {

    private static final ZoneId ZONE = ZoneId.of("America/Los_Angeles");
    private static final ImageRequest REQUEST = new ImageRequest("gemini-2.5-flash-image", "a cat", "1:1", "1K", List.of());
    private static final String QUOTA_429 = """
            {"error":{"code":429,"status":"RESOURCE_EXHAUSTED","message":"Quota exceeded for metric: \
            generativelanguage.googleapis.com/generate_content_free_tier_requests, limit: 10, model: gemini-2.5-flash-image",\
            "details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"7s"}]}}""";

    private final MutableClock clock = MutableClock.at("2026-03-10T17:00:00Z");

    private ProviderRuntime provider(String name, List<Limit> limits, int slots) {
        return new ProviderRuntime(new ProviderSettings(name, ProviderType.SIMULATOR, "http://127.0.0.1:1", "key",
                "x-goog-api-key", null, limits, List.of(), slots, Map.of(), null, null, "global", null, Map.of(), false),
                ZONE, clock);
    }

    private ProviderGateway gateway(Budget budget, ProviderRuntime... providers) {
        return new ProviderGateway(List.of(providers), budget, clock);
    }

    private static Permit granted(Reservation reservation) {
        assertThat(reservation).isInstanceOf(Reservation.Granted.class);
        return ((Reservation.Granted) reservation).permit();
    }

    /** A first answer opens the provider's one-call gate, as in a real run. */
    private static void warmUp(ProviderGateway gateway) {
        try (Permit first = granted(gateway.reserve(REQUEST))) {
            gateway.settle(first, new CallOutcome.Answered(true));
        }
    }

    @Test
    void aPermitHoldsSlotInFlightCountAndMoneyUntilClosedAndSpendsOnlyForAnImage() {
        ProviderRuntime a = provider("a", List.of(), 2);
        Budget budget = new Budget(1.0, null, ZONE, clock);
        ProviderGateway gateway = gateway(budget, a);
        warmUp(gateway);
        double spentAfterOneImage = budget.spent();

        Permit permit = granted(gateway.reserve(REQUEST));
        assertThat(permit.provider()).isEqualTo("a");
        assertThat(permit.wireModel()).isEqualTo("gemini-2.5-flash-image");
        assertThat(permit.reservedUsd()).isPositive().isEqualTo(spentAfterOneImage);
        assertThat(a.inFlight()).isOne();
        assertThat(a.slots().availablePermits()).isOne();
        gateway.settle(permit, new CallOutcome.Answered(false));
        permit.close();
        permit.close();
        assertThat(a.inFlight()).isZero();
        assertThat(a.slots().availablePermits()).isEqualTo(2);
        assertThat(budget.spent()).as("a block costs nothing; closing twice gives back once")
                .isEqualTo(spentAfterOneImage);
    }

    @Test
    void aColdProviderTakesOneCallUntilItFirstAnswers() {
        ProviderGateway gateway = gateway(Budget.unlimited(clock), provider("a", List.of(), 4));
        Permit first = granted(gateway.reserve(REQUEST));
        Reservation second = gateway.reserve(REQUEST);
        assertThat(second).isInstanceOf(Reservation.Wait.class);
        assertThat(((Reservation.Wait) second).until()).isAfter(clock.instant());
        gateway.settle(first, new CallOutcome.Answered(true));
        first.close();
        granted(gateway.reserve(REQUEST)).close();
    }

    @Test
    void aPacingProviderHoldsTheRequestUntilItsWindowHasRoom() {
        ProviderGateway gateway = gateway(Budget.unlimited(clock), provider("a", List.of(Limit.sliding(1, Duration.ofMinutes(1))), 4));
        warmUp(gateway);
        Reservation next = gateway.reserve(REQUEST);
        assertThat(next).isInstanceOf(Reservation.Wait.class);
        assertThat(((Reservation.Wait) next).until()).isAfter(clock.instant().plusSeconds(50));
        clock.advance(Duration.ofMinutes(2));
        granted(gateway.reserve(REQUEST)).close();
    }

    @Test
    void aClosedProviderFailsOverToTheNext() {
        ProviderRuntime a = provider("a", List.of(), 4);
        ProviderRuntime b = provider("b", List.of(), 4);
        ProviderGateway gateway = gateway(Budget.unlimited(clock), a, b);
        a.quota().closeUntil(clock.instant().plus(Duration.ofHours(3)), "per-day quota used up");
        try (Permit permit = granted(gateway.reserve(REQUEST))) {
            assertThat(permit.provider()).isEqualTo("b");
        }
    }

    @Test
    void everyProviderClosedForTheDayIsClosedUntilTheFirstReopens() {
        ProviderRuntime a = provider("a", List.of(), 4);
        ProviderRuntime b = provider("b", List.of(), 4);
        Instant aReopens = clock.instant().plus(Duration.ofHours(3));
        a.quota().closeUntil(aReopens, "per-day quota used up");
        b.quota().closeUntil(clock.instant().plus(Duration.ofHours(5)), "per-day quota used up");
        Reservation r = gateway(Budget.unlimited(clock), a, b).reserve(REQUEST);
        assertThat(r).isEqualTo(new Reservation.Closed(aReopens, Reservation.Cause.QUOTA, "no provider can serve now (a: "
                + "per-day quota used up until " + aReopens + "; b: per-day quota used up until "
                + clock.instant().plus(Duration.ofHours(5)) + ")"));
        assertThat(Reservation.Cause.QUOTA.reasonClass()).isEqualTo("quota");
    }

    @Test
    void onlyUnusableProvidersIsAnAuthClosureForever() {
        ProviderRuntime a = provider("a", List.of(), 4);
        a.markUnusable("credentials refused (HTTP 403)");
        Reservation.Closed closed = (Reservation.Closed) gateway(Budget.unlimited(clock), a).reserve(REQUEST);
        assertThat(closed.cause()).isEqualTo(Reservation.Cause.AUTH);
        assertThat(closed.forever()).isTrue();
        assertThat(closed.reason()).contains("a: credentials refused (HTTP 403)");
    }

    @Test
    void onlyOpenCircuitsIsAShortClosure() {
        ProviderRuntime a = provider("a", List.of(), 4);
        a.breaker().transitionToOpenState();
        Reservation.Closed closed = (Reservation.Closed) gateway(Budget.unlimited(clock), a).reserve(REQUEST);
        assertThat(closed.cause()).isEqualTo(Reservation.Cause.CIRCUIT);
        assertThat(closed.until()).isEqualTo(clock.instant().plusSeconds(1));
        assertThat(a.slots().availablePermits()).as("a refused breaker gives the slot back").isEqualTo(4);
    }

    @Test
    void aRefusedModelGoesElsewhereAndWhenNobodyServesItTheItemFails() {
        ProviderRuntime a = provider("a", List.of(), 4);
        ProviderRuntime b = provider("b", List.of(), 4);
        ProviderGateway gateway = gateway(Budget.unlimited(clock), a, b);
        a.refuseModel(REQUEST.model(), "404 model not found");
        try (Permit permit = granted(gateway.reserve(REQUEST))) {
            assertThat(permit.provider()).isEqualTo("b");
            gateway.settle(permit, new CallOutcome.Failed(new ProviderFailure(FailureKind.MODEL_NOT_FOUND, null,
                    "model_not_found", "404 model not found"), true));
        }
        Reservation.Closed closed = (Reservation.Closed) gateway.reserve(REQUEST);
        assertThat(closed.cause()).isEqualTo(Reservation.Cause.MODEL);
        assertThat(closed.cause().reasonClass()).isEqualTo("model_not_found");
        assertThat(closed.reason()).contains("gemini-2.5-flash-image", "a: 404", "b: 404");
    }

    @Test
    void aRunBudgetUsedUpClosesForeverAndADailyOneUntilMidnight() {
        ProviderRuntime a = provider("a", List.of(), 4);
        Reservation.Closed run = (Reservation.Closed) gateway(new Budget(0.0, null, ZONE, clock), a).reserve(REQUEST);
        assertThat(run.cause()).isEqualTo(Reservation.Cause.BUDGET);
        assertThat(run.forever()).isTrue();
        assertThat(run.reason()).contains("imagegen.budget.maxUsd");
        Reservation.Closed daily = (Reservation.Closed) gateway(new Budget(null, 0.0, ZONE, clock), a).reserve(REQUEST);
        assertThat(daily.until()).isEqualTo(Instant.parse("2026-03-11T07:00:00Z"));
        assertThat(a.slots().availablePermits()).isEqualTo(4);
        assertThat(a.inFlight()).isZero();
    }

    @Test
    void aThrottledAnswerPausesTheProviderAndASecondSettleChangesNothing() {
        ProviderRuntime a = provider("a", List.of(), 4);
        ProviderGateway gateway = gateway(Budget.unlimited(clock), a);
        warmUp(gateway);
        ProviderFailure throttled = FailureClassifier.classify(429, QUOTA_429, h -> null, clock.instant());
        assertThat(throttled.kind()).isEqualTo(FailureKind.THROTTLED);
        try (Permit permit = granted(gateway.reserve(REQUEST))) {
            gateway.settle(permit, new CallOutcome.Failed(throttled, true));
            gateway.settle(permit, new CallOutcome.Answered(true));
        }
        assertThat(a.quota().snapshot().pausedUntil()).isAfter(clock.instant());
        assertThat(gateway.reserve(REQUEST)).isInstanceOf(Reservation.Wait.class);
    }

    @Test
    void refusedCredentialsMakeTheProviderUnusable() {
        ProviderRuntime a = provider("a", List.of(), 4);
        ProviderGateway gateway = gateway(Budget.unlimited(clock), a);
        try (Permit permit = granted(gateway.reserve(REQUEST))) {
            gateway.settle(permit, new CallOutcome.Failed(FailureClassifier.classify(403,
                    "{\"error\":{\"code\":403,\"message\":\"API key not valid\"}}", h -> null, clock.instant()), true));
        }
        assertThat(a.usable()).isFalse();
        assertThat(a.unusableReason()).contains("credentials refused", "API key not valid");
    }

    private static final String REFUSED = "{\"error\":{\"code\":403,\"message\":\"API key not valid\"}}";

    private void refuse(ProviderGateway gateway, Permit permit) {
        gateway.settle(permit, new CallOutcome.Failed(FailureClassifier.classify(403, REFUSED, h -> null, clock.instant()), true));
    }

    @Test
    void inAServiceRefusedCredentialsAreTriedAgainWithOneRequestOnAGrowingSchedule() {
        ProviderRuntime a = provider("a", List.of(), 4);
        a.probeRefusedCredentials(n -> Duration.ofMinutes(n == 1 ? 1 : 2));
        ProviderGateway gateway = gateway(Budget.unlimited(clock), a);
        warmUp(gateway);
        Permit first = granted(gateway.reserve(REQUEST));
        Permit second = granted(gateway.reserve(REQUEST));
        Permit third = granted(gateway.reserve(REQUEST));
        refuse(gateway, first);
        first.close();
        Instant refusedAt = clock.instant();
        assertThat(a.state(refusedAt).kind()).isEqualTo(ProviderState.Kind.UNUSABLE);
        assertThat(a.state(refusedAt).until()).isEqualTo(refusedAt.plus(Duration.ofMinutes(1)));
        clock.advance(Duration.ofSeconds(10));
        refuse(gateway, second);
        second.close();
        assertThat(a.nextCredentialProbe()).as("a call sent before the refusal was known does not count again")
                .isEqualTo(refusedAt.plus(Duration.ofMinutes(1)));
        gateway.settle(third, new CallOutcome.Answered(true));
        third.close();
        assertThat(a.usable()).as("nor does one answered after it reopen the provider").isFalse();
        assertThat(((Reservation.Closed) gateway.reserve(REQUEST)).cause()).isEqualTo(Reservation.Cause.AUTH);

        clock.set(refusedAt.plus(Duration.ofMinutes(1)));
        Permit probe = granted(gateway.reserve(REQUEST));
        assertThat(gateway.reserve(REQUEST)).as("one probe at a time; the others wait for its answer")
                .isInstanceOf(Reservation.Wait.class);
        refuse(gateway, probe);
        probe.close();
        assertThat(a.nextCredentialProbe()).isEqualTo(clock.instant().plus(Duration.ofMinutes(2)));
        assertThat(((Reservation.Closed) gateway.reserve(REQUEST)).cause()).isEqualTo(Reservation.Cause.AUTH);

        clock.advance(Duration.ofMinutes(2));
        try (Permit accepted = granted(gateway.reserve(REQUEST))) {
            gateway.settle(accepted, new CallOutcome.Answered(true));
        }
        assertThat(a.usable()).isTrue();
        assertThat(a.state(clock.instant()).takesRequests()).isTrue();
        try (Permit one = granted(gateway.reserve(REQUEST)); Permit two = granted(gateway.reserve(REQUEST))) {
            assertThat(List.of(one.provider(), two.provider())).as("open again: calls go in parallel").containsOnly("a");
        }
    }

    @Test
    void aProbeAnsweredWithAThrottleProvesTheCredentialsAndOneWithoutAnAnswerProvesNothing() {
        ProviderRuntime a = provider("a", List.of(), 4);
        a.probeRefusedCredentials(n -> Duration.ofMinutes(1));
        ProviderGateway gateway = gateway(Budget.unlimited(clock), a);
        try (Permit first = granted(gateway.reserve(REQUEST))) {
            refuse(gateway, first);
        }
        clock.advance(Duration.ofMinutes(1));
        try (Permit reset = granted(gateway.reserve(REQUEST))) {
            gateway.settle(reset, new CallOutcome.Failed(new ProviderFailure(FailureKind.TRANSIENT, null, "server_error",
                    "connection reset"), false));
        }
        assertThat(a.usable()).isFalse();
        // past the one-call-a-second pace of a provider that just failed
        clock.advance(Duration.ofSeconds(2));
        try (Permit throttled = granted(gateway.reserve(REQUEST))) {
            gateway.settle(throttled, new CallOutcome.Failed(FailureClassifier.classify(429, QUOTA_429, h -> null,
                    clock.instant()), true));
        }
        assertThat(a.usable()).isTrue();
        assertThat(a.nextCredentialProbe()).isNull();
    }

    @Test
    void whileAProviderWaitsForItsProbeTheNextInFailoverOrderTakesTheWork() {
        ProviderRuntime a = provider("a", List.of(), 4);
        ProviderRuntime b = provider("b", List.of(), 4);
        a.probeRefusedCredentials(n -> Duration.ofMinutes(1));
        ProviderGateway gateway = gateway(Budget.unlimited(clock), a, b);
        try (Permit first = granted(gateway.reserve(REQUEST))) {
            refuse(gateway, first);
        }
        warmUp(gateway);
        try (Permit permit = granted(gateway.reserve(REQUEST))) {
            assertThat(permit.provider()).isEqualTo("b");
        }
        clock.advance(Duration.ofMinutes(1));
        try (Permit probe = granted(gateway.reserve(REQUEST)); Permit meanwhile = granted(gateway.reserve(REQUEST))) {
            assertThat(probe.provider()).as("the probe goes to the preferred provider").isEqualTo("a");
            assertThat(meanwhile.provider()).as("the rest do not wait for the probe").isEqualTo("b");
            gateway.settle(probe, new CallOutcome.Answered(true));
        }
        try (Permit permit = granted(gateway.reserve(REQUEST))) {
            assertThat(permit.provider()).isEqualTo("a");
        }
    }

    @Test
    void withoutProbesRefusedCredentialsAndAZeroQuotaAreFinal() {
        ProviderRuntime a = provider("a", List.of(), 4);
        ProviderGateway gateway = gateway(Budget.unlimited(clock), a);
        try (Permit first = granted(gateway.reserve(REQUEST))) {
            refuse(gateway, first);
        }
        clock.advance(Duration.ofDays(1));
        assertThat(((Reservation.Closed) gateway.reserve(REQUEST)).forever()).isTrue();

        ProviderRuntime z = provider("z", List.of(), 4);
        z.probeRefusedCredentials(n -> Duration.ofMinutes(1));
        z.markUnusable("has no quota for this model (limit 0)");
        clock.advance(Duration.ofDays(1));
        assertThat(z.credentialProbeDue(clock.instant())).isFalse();
        assertThat(((Reservation.Closed) gateway(Budget.unlimited(clock), z).reserve(REQUEST)).forever()).isTrue();
    }

    @Test
    void serverErrorsOpenTheCircuitAndAnUnsettledPermitGivesItsPermissionBack() {
        ProviderRuntime a = provider("a", List.of(), 16);
        ProviderGateway gateway = gateway(Budget.unlimited(clock), a);
        warmUp(gateway);
        // with the warm-up's success, 29 failures within a minute make 30 calls: the breaker's minimum,
        // at 97 % failures; 1.5 s apart, past the one-probe-a-second pace of an overloaded provider
        failCalls(gateway, 29);
        assertThat(a.breaker().getState()).isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(a.failing()).isTrue();
        assertThat(((Reservation.Closed) gateway.reserve(REQUEST)).cause()).isEqualTo(Reservation.Cause.CIRCUIT);
        clock.advance(Duration.ofMinutes(10));
        // half-open lets two calls through: two permits closed unsettled must not use them up
        // (1.5 s apart: the provider is still held to a probe a second by its failures)
        granted(gateway.reserve(REQUEST)).close();
        clock.advance(Duration.ofMillis(1500));
        granted(gateway.reserve(REQUEST)).close();
        clock.advance(Duration.ofMillis(1500));
        try (Permit permit = granted(gateway.reserve(REQUEST))) {
            gateway.settle(permit, new CallOutcome.OnOurSide());
        }
        clock.advance(Duration.ofMillis(1500));
        granted(gateway.reserve(REQUEST)).close();
    }

    @Test
    void aCircuitThatOpensAgainAfterItsHalfOpenCallsFailedIsDownUntilAProperAnswer() {
        ProviderRuntime a = provider("a", List.of(), 16);
        ProviderGateway gateway = gateway(Budget.unlimited(clock), a);
        warmUp(gateway);
        failCalls(gateway, 29);
        assertThat(((Reservation.Closed) gateway.reserve(REQUEST)).cause()).as("opened once: sit it out")
                .isEqualTo(Reservation.Cause.CIRCUIT);
        assertThat(a.staysDown()).isFalse();

        clock.advance(Duration.ofMinutes(1));
        failCalls(gateway, 2);
        Reservation.Closed down = (Reservation.Closed) gateway.reserve(REQUEST);
        assertThat(down.cause()).as("opened again: its half-open calls failed too").isEqualTo(Reservation.Cause.DOWN);
        assertThat(down.reason()).contains("a: circuit open again");
        assertThat(Reservation.Cause.DOWN.reasonClass()).isEqualTo("server_error");

        clock.advance(Duration.ofMinutes(1));
        try (Permit permit = granted(gateway.reserve(REQUEST))) {
            gateway.settle(permit, new CallOutcome.Answered(true));
        }
        assertThat(a.staysDown()).as("a proper answer ends it").isFalse();
    }

    /** {@code count} calls answered with a 503, 1.5 s apart: past the one-probe-a-second pace of an overloaded provider. */
    private void failCalls(ProviderGateway gateway, int count) {
        ProviderFailure overloaded = new ProviderFailure(FailureKind.TRANSIENT, null, "server_error", "HTTP 503");
        for (int i = 0; i < count; i++) {
            clock.advance(Duration.ofMillis(1500));
            try (Permit permit = granted(gateway.reserve(REQUEST))) {
                gateway.settle(permit, new CallOutcome.Failed(overloaded, true));
            }
        }
    }
}
