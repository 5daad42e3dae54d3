package io.github.geminiimagebatch.provider;

import com.google.api.client.http.HttpHeaders;
import com.google.api.client.http.HttpResponseException;
import io.github.geminiimagebatch.config.ConfigException;
import io.github.geminiimagebatch.config.ProviderSettings;
import io.github.geminiimagebatch.config.Settings;
import io.github.geminiimagebatch.testing.MutableClock;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProviderRuntimeTest {

    private final MutableClock clock = MutableClock.at("2026-11-29T10:00:00Z");

    private ProviderRuntime runtime(String name, String... keyValues) throws ConfigException {
        Map<String, String> values = new java.util.HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            values.put("imagegen.provider." + name + "." + keyValues[i], keyValues[i + 1]);
        }
        return new ProviderRuntime(ProviderSettings.from(Settings.of(values), name), ZoneOffset.UTC, clock);
    }

    @Test
    void markUnusableReportsOnlyTheFirstReasonAndKeepsIt() throws ConfigException {
        ProviderRuntime p = runtime("aistudio", "apiKey", "k");
        assertThat(p.usable()).isTrue();

        assertThat(p.markUnusable("credentials refused")).isTrue();
        assertThat(p.markUnusable("zero quota")).isFalse();

        assertThat(p.usable()).isFalse();
        assertThat(p.unusableReason()).isEqualTo("credentials refused");
    }

    @Test
    void failingLastsFromAServerErrorToTheNextProperAnswer() throws ConfigException {
        ProviderRuntime p = runtime("aistudio", "apiKey", "k");
        assertThat(p.failing()).isFalse();

        p.serverErrorHappened();
        p.serverErrorHappened();
        assertThat(p.failing()).isTrue();

        p.answeredProperly();
        assertThat(p.failing()).isFalse();
    }

    @Test
    void aRefusedModelIsRecordedOncePerModel() throws ConfigException {
        ProviderRuntime p = runtime("aistudio", "apiKey", "k");

        assertThat(p.refuseModel("gemini-3-pro-image", "404 first")).isTrue();
        assertThat(p.refuseModel("gemini-3-pro-image", "404 second")).isFalse();

        assertThat(p.modelRefusal("gemini-3-pro-image")).isEqualTo("404 first");
        assertThat(p.modelRefusal("gemini-2.5-flash-image")).isNull();
    }

    @Test
    void aRejectedTokenReloadsTheCredentialsOnceThenRefusesWithinTheSpacing() throws ConfigException {
        ProviderRuntime p = runtime("vertex", "project", "p");
        assertThat(p.credentialsGeneration()).isZero();

        assertThat(p.bearerTokenRejected(0)).as("first 401: reload").isTrue();
        assertThat(p.credentialsGeneration()).isEqualTo(1);
        assertThat(p.bearerTokenRejected(0)).as("a call that still had the old token: just resend").isTrue();
        assertThat(p.credentialsGeneration()).isEqualTo(1);

        clock.advance(ProviderRuntime.FORCED_RELOAD_SPACING.minus(Duration.ofSeconds(1)));
        assertThat(p.bearerTokenRejected(1)).as("the new token refused too, soon after").isFalse();

        clock.advance(Duration.ofSeconds(1));
        assertThat(p.bearerTokenRejected(1)).as("a 401 long after the last reload: reload again").isTrue();
        assertThat(p.credentialsGeneration()).isEqualTo(2);
    }

    @Test
    void theTokenEndpointStatusIsFoundAnywhereInTheCauseChain() {
        HttpResponseException refused = new HttpResponseException.Builder(400, "Bad Request", new HttpHeaders()).build();
        assertThat(ProviderRuntime.tokenEndpointStatus(new IOException("wrapped", new IOException("inner", refused)))).isEqualTo(400);
        assertThat(ProviderRuntime.tokenEndpointStatus(new IOException("connection refused"))).isNull();
    }

    @Test
    void onlyVertexProvidersHaveBearerTokens() throws ConfigException {
        ProviderRuntime p = runtime("aistudio", "apiKey", "k");
        assertThatThrownBy(p::bearerToken).isInstanceOf(IllegalStateException.class).hasMessageContaining("not a Vertex AI provider");
    }

    @Test
    void theVertexProjectIsTheConfiguredOneWithoutLoadingCredentials() throws Exception {
        ProviderRuntime p = runtime("vertex", "project", "my-project", "credentialsFile", "/nonexistent/sa.json");
        assertThat(p.vertexProject()).isEqualTo("my-project");

        ProviderRuntime fromFile = runtime("vertex", "credentialsFile", "/nonexistent/sa.json");
        assertThatThrownBy(fromFile::vertexProject).isInstanceOf(IOException.class).hasMessageContaining("does not exist");
    }
}
