package io.github.geminiimagebatch.gemini;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.github.geminiimagebatch.secret.Secrets;
import io.github.geminiimagebatch.testing.ServiceAccounts;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Talks to a real OAuth2 token endpoint on loopback that checks the JWT-bearer grant the way
 * Google's does: the assertion must be signed by the service account's private key.
 */
class VertexCredentialsTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String CLIENT_EMAIL = "image-batch@demo-project.iam.gserviceaccount.com";

    private static KeyPair serviceAccountKey;

    @TempDir
    Path dir;

    private TokenEndpoint endpoint;

    @BeforeAll
    static void generateKey() {
        serviceAccountKey = ServiceAccounts.newKeyPair();
    }

    @BeforeEach
    void startEndpoint() throws IOException {
        endpoint = new TokenEndpoint((RSAPublicKey) serviceAccountKey.getPublic());
    }

    @AfterEach
    void stopEndpoint() {
        endpoint.close();
        Secrets.clearForTests();
    }

    @Test
    void projectIdComesFromTheKeyFile() throws IOException {
        VertexCredentials credentials = VertexCredentials.fromServiceAccountFile(keyFile("demo-project"));

        assertThat(credentials.projectId()).isEqualTo("demo-project");
        assertThat(endpoint.grants).as("loading the file asks for no token yet").isEmpty();
    }

    @Test
    void aKeyFileWithoutProjectHasNullProjectId() throws IOException {
        assertThat(VertexCredentials.fromServiceAccountFile(keyFile(null)).projectId()).isNull();
    }

    @Test
    void aSignedJwtGrantIsPostedToTheTokenUriAndTheTokenIsCached() throws IOException {
        VertexCredentials credentials = VertexCredentials.fromServiceAccountFile(keyFile("demo-project"));

        String first = credentials.bearerToken();
        String second = credentials.bearerToken();

        assertThat(first).isEqualTo("vertex-access-token-1");
        assertThat(second).isEqualTo(first);
        assertThat(endpoint.grants).hasSize(1);
        JsonNode claims = endpoint.grants.get(0);
        assertThat(claims.get("iss").asText()).isEqualTo(CLIENT_EMAIL);
        // The library always names Google's token server as audience, whatever token_uri it posts to: a simulator must accept that.
        assertThat(claims.get("aud").asText()).isEqualTo("https://oauth2.googleapis.com/token");
        assertThat(claims.get("scope").asText()).isEqualTo("https://www.googleapis.com/auth/cloud-platform");
        assertThat(claims.get("exp").asLong() - claims.get("iat").asLong()).isEqualTo(3600);
    }

    @Test
    void aTokenAboutToExpireIsRefreshedBeforeUse() throws IOException {
        endpoint.expiresInSeconds.set(60); // inside the library's refresh margin from the start
        VertexCredentials credentials = VertexCredentials.fromServiceAccountFile(keyFile("demo-project"));

        String first = credentials.bearerToken();
        String second = credentials.bearerToken();

        assertThat(first).isEqualTo("vertex-access-token-1");
        assertThat(second).isEqualTo("vertex-access-token-2");
        assertThat(endpoint.grants).hasSize(2);
    }

    @Test
    void everyMintedTokenIsRegisteredForRedaction() throws IOException {
        String token = VertexCredentials.fromServiceAccountFile(keyFile("demo-project")).bearerToken();

        assertThat(Secrets.redact("sending " + token)).isEqualTo("sending ***");
    }

    @Test
    void aRejectedGrantSaysWhichServiceAccountAndLeaksNoKey() throws IOException {
        KeyPair otherKey = ServiceAccounts.newKeyPair();
        Path file = keyFile("demo-project", otherKey); // signed with a key the endpoint does not know
        VertexCredentials credentials = VertexCredentials.fromServiceAccountFile(file);
        String privateKeyBase64 = Base64.getEncoder().encodeToString(otherKey.getPrivate().getEncoded());

        assertThatThrownBy(credentials::bearerToken)
                .isInstanceOf(IOException.class)
                .hasMessageContaining("Could not get a Vertex AI access token for service account " + CLIENT_EMAIL)
                .hasMessageContaining("invalid_grant")
                .hasMessageNotContaining(privateKeyBase64.substring(100, 140));
        assertThat(endpoint.rejected.get()).isEqualTo(1);
    }

    @Test
    void aMissingKeyFileSaysWhatToDo() {
        Path missing = dir.resolve("missing.json");

        assertThatThrownBy(() -> VertexCredentials.fromServiceAccountFile(missing))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(missing.toString())
                .hasMessageContaining("does not exist");
    }

    @Test
    void aKeyFileMissingFieldsIsRejectedWithoutQuotingIt() throws IOException {
        ObjectNode json = serviceAccountJson("demo-project", serviceAccountKey);
        String privateKey = json.remove("client_email") == null ? null : json.get("private_key").asText();
        Path file = Files.writeString(dir.resolve("broken.json"), json.toString());

        assertThatThrownBy(() -> VertexCredentials.fromServiceAccountFile(file))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("not a usable service-account JSON key")
                .hasMessageNotContaining(privateKey.substring(40, 80));
    }

    private Path keyFile(String projectId) throws IOException {
        return keyFile(projectId, serviceAccountKey);
    }

    private Path keyFile(String projectId, KeyPair key) throws IOException {
        return Files.writeString(dir.resolve("sa-" + System.nanoTime() + ".json"), serviceAccountJson(projectId, key).toString());
    }

    private ObjectNode serviceAccountJson(String projectId, KeyPair key) {
        return ServiceAccounts.json(CLIENT_EMAIL, projectId, key, endpoint.tokenUri());
    }

    /** A loopback token endpoint that verifies RS256 JWT-bearer grants against one public key. */
    private static final class TokenEndpoint implements AutoCloseable {
        final List<JsonNode> grants = new CopyOnWriteArrayList<>();
        final AtomicInteger rejected = new AtomicInteger();
        final AtomicInteger expiresInSeconds = new AtomicInteger(3600);
        private final RSAPublicKey publicKey;
        private final HttpServer server;

        TokenEndpoint(RSAPublicKey publicKey) throws IOException {
            this.publicKey = publicKey;
            this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/token", this::handle);
            server.start();
        }

        String tokenUri() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/token";
        }

        private void handle(HttpExchange exchange) throws IOException {
            try (exchange) {
                Map<String, String> form = parseForm(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
                String[] jwt = form.getOrDefault("assertion", "").split("\\.");
                boolean valid = "POST".equals(exchange.getRequestMethod())
                        && "urn:ietf:params:oauth:grant-type:jwt-bearer".equals(form.get("grant_type"))
                        && jwt.length == 3
                        && "RS256".equals(MAPPER.readTree(Base64.getUrlDecoder().decode(jwt[0])).path("alg").asText())
                        && signatureValid(jwt);
                if (!valid) {
                    rejected.incrementAndGet();
                    respond(exchange, 400, "{\"error\":\"invalid_grant\",\"error_description\":\"Invalid JWT Signature.\"}");
                    return;
                }
                grants.add(MAPPER.readTree(Base64.getUrlDecoder().decode(jwt[1])));
                respond(exchange, 200, "{\"access_token\":\"vertex-access-token-" + grants.size() + "\",\"expires_in\":"
                        + expiresInSeconds.get() + ",\"token_type\":\"Bearer\"}");
            }
        }

        private boolean signatureValid(String[] jwt) {
            try {
                Signature verifier = Signature.getInstance("SHA256withRSA");
                verifier.initVerify(publicKey);
                verifier.update((jwt[0] + "." + jwt[1]).getBytes(StandardCharsets.US_ASCII));
                return verifier.verify(Base64.getUrlDecoder().decode(jwt[2]));
            } catch (java.security.GeneralSecurityException | IllegalArgumentException e) {
                return false;
            }
        }

        private static void respond(HttpExchange exchange, int status, String json) throws IOException {
            byte[] body = json.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
        }

        private static Map<String, String> parseForm(String body) {
            Map<String, String> form = new HashMap<>();
            for (String pair : body.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    form.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
            return form;
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }
}
