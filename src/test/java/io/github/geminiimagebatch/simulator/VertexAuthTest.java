package io.github.geminiimagebatch.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.auth.oauth2.ServiceAccountCredentials;
import io.github.geminiimagebatch.testing.MutableClock;
import io.github.geminiimagebatch.testing.ServiceAccounts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static io.github.geminiimagebatch.simulator.SimClient.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VertexAuthTest {

    private static final String VERTEX_PATH =
            "/v1/projects/sim-project/locations/global/publishers/google/models/gemini-3.1-flash-image:generateContent";

    @TempDir
    Path dir;
    private final MutableClock clock = new MutableClock(Instant.now());
    private final KeyPair keys = ServiceAccounts.newKeyPair();
    private GeminiSimulator simulator;
    private SimClient client;
    private Path clientAccountFile;

    private void start(Duration tokenTtl) throws IOException {
        Path serverAccountFile = ServiceAccounts.write(dir.resolve("server-sa.json"), keys, "https://oauth2.googleapis.com/token");
        simulator = GeminiSimulator.start(SimulatorOptions.builder().serviceAccountFile(serverAccountFile)
                .tokenTtl(tokenTtl).clock(clock).build());
        client = new SimClient(simulator);
        clientAccountFile = ServiceAccounts.write(dir.resolve("client-sa.json"), keys, simulator.baseUri() + "/token");
    }

    @AfterEach
    void stop() {
        if (simulator != null) {
            simulator.close();
        }
    }

    private String tokenFromGoogleAuthLibrary(Path accountFile) throws IOException {
        try (InputStream in = Files.newInputStream(accountFile)) {
            ServiceAccountCredentials credentials = (ServiceAccountCredentials) ServiceAccountCredentials.fromStream(in)
                    .createScoped(List.of("https://www.googleapis.com/auth/cloud-platform"));
            credentials.refresh();
            return credentials.getAccessToken().getTokenValue();
        }
    }

    private HttpResponse<String> vertex(String token) {
        return client.post(VERTEX_PATH, SimClient.geminiBody("a vertex image", "16:9", "1K"),
                "Authorization", "Bearer " + token, "Content-Type", "application/json");
    }

    @Test
    void googleAuthLibraryGetsATokenThatVertexAccepts() throws IOException {
        start(Duration.ofHours(1));
        String token = tokenFromGoogleAuthLibrary(clientAccountFile);
        assertThat(token).startsWith("sim-");

        HttpResponse<String> response = vertex(token);

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = json(response);
        assertThat(body.at("/usageMetadata/trafficType").asText()).isEqualTo("ON_DEMAND");
        assertThat(SimClient.image(SimClient.base64(body.at("/candidates/0/content/parts/1/inlineData/data").asText())).getWidth())
                .isEqualTo(1376);
        assertThat(simulator.stats().at("/requestsByEndpoint/vertex").asLong()).isEqualTo(1);
        assertThat(simulator.stats().path("tokensIssued").asLong()).isEqualTo(1);
    }

    @Test
    void expiredTokenIsUnauthenticated() throws IOException {
        start(Duration.ofSeconds(30));
        String token = tokenFromGoogleAuthLibrary(clientAccountFile);
        assertThat(vertex(token).statusCode()).isEqualTo(200);
        clock.advance(Duration.ofSeconds(30));

        HttpResponse<String> response = vertex(token);

        assertThat(response.statusCode()).isEqualTo(401);
        JsonNode error = json(response).path("error");
        assertThat(error.path("status").asText()).isEqualTo("UNAUTHENTICATED");
        assertThat(error.path("message").asText()).startsWith("Request had invalid authentication credentials.");
        assertThat(error.at("/details/0/reason").asText()).isEqualTo("ACCESS_TOKEN_EXPIRED");
    }

    @Test
    void tokensNotIssuedHereAndMissingBearerAreRejected() throws IOException {
        start(Duration.ofHours(1));
        HttpResponse<String> unknown = vertex("ya29.some-real-looking-token");
        assertThat(unknown.statusCode()).isEqualTo(401);
        assertThat(json(unknown).at("/error/details/0/reason").asText()).isEqualTo("ACCESS_TOKEN_TYPE_UNSUPPORTED");
        HttpResponse<String> missing = client.post(VERTEX_PATH, SimClient.geminiBody("x", null, null));
        assertThat(missing.statusCode()).isEqualTo(401);
        assertThat(json(missing).at("/error/details/0/reason").asText()).isEqualTo("CREDENTIALS_MISSING");
    }

    @Test
    void grantSignedByAnotherKeyIsRefused() throws IOException {
        start(Duration.ofHours(1));
        Path impostor = ServiceAccounts.write(dir.resolve("impostor.json"), ServiceAccounts.newKeyPair(),
                simulator.baseUri() + "/token");
        assertThatThrownBy(() -> tokenFromGoogleAuthLibrary(impostor)).isInstanceOf(IOException.class)
                .hasMessageContaining("invalid_grant").hasMessageContaining("Invalid JWT Signature");
        assertThat(simulator.stats().path("tokensIssued").asLong()).isZero();
    }

    @Test
    void tokenEndpointRefusesOtherGrantTypes() throws IOException {
        start(Duration.ofHours(1));
        HttpResponse<String> response = client.post("/token", "grant_type=client_credentials&assertion=x",
                "Content-Type", "application/x-www-form-urlencoded");
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json(response).path("error").asText()).isEqualTo("unsupported_grant_type");
    }

    @Test
    void withoutServiceAccountAnyBearerIsAcceptedAndExpressModeTakesKeys() throws IOException {
        simulator = GeminiSimulator.start(SimulatorOptions.builder().acceptedKeys(java.util.Set.of("express-key")).build());
        client = new SimClient(simulator);
        assertThat(vertex("anything").statusCode()).isEqualTo(200);
        String express = "/v1beta1/publishers/google/models/gemini-2.5-flash-image:generateContent";
        assertThat(client.post(express, SimClient.geminiBody("x", null, null), "x-goog-api-key", "express-key").statusCode())
                .isEqualTo(200);
        HttpResponse<String> wrongKey = client.post(express, SimClient.geminiBody("x", null, null), "x-goog-api-key", "nope");
        assertThat(wrongKey.statusCode()).isEqualTo(400);
        assertThat(json(wrongKey).at("/error/details/0/reason").asText()).isEqualTo("API_KEY_INVALID");
        HttpResponse<String> noKey = client.post(express, SimClient.geminiBody("x", null, null));
        assertThat(noKey.statusCode()).isEqualTo(401);
        assertThat(json(noKey).at("/error/message").asText()).startsWith("Request is missing required authentication credential.");
        HttpResponse<String> unknownModel = client.post(
                "/v1/projects/p/locations/us-central1/publishers/google/models/imagen-1:generateContent",
                SimClient.geminiBody("x", null, null), "Authorization", "Bearer t");
        assertThat(unknownModel.statusCode()).isEqualTo(404);
        assertThat(json(unknownModel).at("/error/message").asText())
                .startsWith("Publisher Model `projects/p/locations/us-central1/publishers/google/models/imagen-1` was not found");
    }
}
