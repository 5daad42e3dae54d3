package io.github.geminiimagebatch.observe;

import io.github.geminiimagebatch.config.ProviderSettings;
import io.github.geminiimagebatch.config.Settings;
import io.github.geminiimagebatch.provider.ProviderRuntime;
import io.github.geminiimagebatch.quota.ThrottleKind;
import io.github.geminiimagebatch.quota.ThrottleSignal;
import io.github.geminiimagebatch.secret.Secrets;
import org.apache.camel.health.HealthCheck;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** What /observe/health says about a provider in each state, through the real Camel health check. */
class ProviderHealthTest {

    private static final String KEY = "AIzaSyFAKE-health-check-key-000000000";
    private final Clock clock = Clock.fixed(Instant.parse("2026-03-10T08:00:00Z"), ZoneOffset.UTC);

    @Test
    void anOpenProviderIsUp() throws Exception {
        ProviderRuntime p = provider();

        HealthCheck.Result result = new ProviderHealthCheck(p, clock).call();

        assertThat(result.getState()).isEqualTo(HealthCheck.State.UP);
        assertThat(result.getMessage()).hasValue("aistudio takes requests");
        assertThat(result.getDetails()).containsEntry("state", "open").containsEntry("inFlight", 0);
    }

    @Test
    void aShortPauseAfterA429IsNormalPacingAndStaysUp() throws Exception {
        ProviderRuntime p = provider();
        p.quota().onThrottled(new ThrottleSignal(ThrottleKind.PER_MINUTE, Duration.ofSeconds(20), false, null, null,
                "per-minute quota"));

        HealthCheck.Result result = new ProviderHealthCheck(p, clock).call();

        assertThat(result.getState()).isEqualTo(HealthCheck.State.UP);
        assertThat(result.getDetails()).containsEntry("state", "paused").containsKey("pausedUntil")
                .containsEntry("throttled", 1L);
    }

    @Test
    void aProviderClosedUntilTheDailyResetIsDownAndSaysUntilWhen() throws Exception {
        ProviderRuntime p = provider();
        p.quota().closeUntil(Instant.parse("2026-03-11T07:00:00Z"), "per-day quota exhausted");

        HealthCheck.Result result = new ProviderHealthCheck(p, clock).call();

        assertThat(result.getState()).isEqualTo(HealthCheck.State.DOWN);
        assertThat(result.getMessage()).hasValue("aistudio closed until 2026-03-11T07:00:00Z: per-day quota exhausted");
        assertThat(result.getDetails()).containsEntry("state", "closed")
                .containsEntry("closedUntil", "2026-03-11T07:00:00Z");
    }

    @Test
    void refusedCredentialsMakeItDownWithoutShowingTheKey() throws Exception {
        ProviderRuntime p = provider();
        Secrets.register(KEY);
        p.markUnusable("credentials refused (API key not valid: " + KEY + ")");

        HealthCheck.Result result = new ProviderHealthCheck(p, clock).call();

        assertThat(result.getState()).isEqualTo(HealthCheck.State.DOWN);
        assertThat(result.getMessage().orElseThrow()).startsWith("aistudio is unusable: credentials refused").doesNotContain(KEY);
        assertThat(result.getDetails().toString()).doesNotContain(KEY);
    }

    @Test
    void aServiceSaysWhenItTriesRefusedCredentialsAgain() throws Exception {
        ProviderRuntime p = provider();
        p.probeRefusedCredentials(n -> Duration.ofMinutes(2));
        p.credentialsRefused("credentials refused (HTTP 403)", false);

        HealthCheck.Result result = new ProviderHealthCheck(p, clock).call();

        assertThat(result.getState()).isEqualTo(HealthCheck.State.DOWN);
        assertThat(result.getMessage().orElseThrow()).isEqualTo("aistudio is unusable: credentials refused (HTTP 403);"
                + " one request tries it again at 2026-03-10T08:02:00Z");
        assertThat(result.getDetails()).containsEntry("state", "unusable").containsEntry("probeAt", "2026-03-10T08:02:00Z");
    }

    @Test
    void anOpenCircuitIsDown() throws Exception {
        ProviderRuntime p = provider();
        p.breaker().transitionToOpenState();

        HealthCheck.Result result = new ProviderHealthCheck(p, clock).call();

        assertThat(result.getState()).isEqualTo(HealthCheck.State.DOWN);
        assertThat(result.getDetails()).containsEntry("state", "circuit_open");
    }

    @Test
    void itIsAReadinessCheckOnlySoAnExhaustedQuotaNeverRestartsTheProcess() throws Exception {
        ProviderHealthCheck check = new ProviderHealthCheck(provider(), clock);

        assertThat(check.isReadiness()).isTrue();
        assertThat(check.isLiveness()).isFalse();
        assertThat(check.getId()).isEqualTo("provider-aistudio");
        assertThat(check.getGroup()).isEqualTo("imagegen");
    }

    private ProviderRuntime provider() throws Exception {
        ProviderSettings settings = ProviderSettings.from(Settings.of(Map.of(
                "imagegen.provider.aistudio.apiKey", KEY,
                "imagegen.provider.aistudio.limits", "10/min")), "aistudio");
        return new ProviderRuntime(settings, ZoneId.of("America/Los_Angeles"), clock);
    }
}
