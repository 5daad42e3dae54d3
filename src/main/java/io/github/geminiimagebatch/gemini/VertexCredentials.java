package io.github.geminiimagebatch.gemini;

import com.google.auth.oauth2.AccessToken;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.auth.oauth2.ServiceAccountCredentials;
import io.github.geminiimagebatch.secret.Secrets;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * OAuth2 bearer tokens for Vertex AI, minted and cached by Google's auth library. The library
 * refreshes a token shortly before it expires and serialises concurrent refreshes, so callers may
 * ask for a token before every request. Every token is registered with {@link Secrets} so a log
 * line that happens to quote it is masked.
 */
public final class VertexCredentials {

    static final String CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform";

    private final GoogleCredentials credentials;
    private final String projectId;
    private final String source;

    private VertexCredentials(GoogleCredentials credentials, String projectId, String source) {
        this.credentials = credentials;
        this.projectId = projectId;
        this.source = source;
    }

    /** Loads a service-account key file; its {@code token_uri} is where tokens are requested. */
    public static VertexCredentials fromServiceAccountFile(Path json) throws IOException {
        ServiceAccountCredentials serviceAccount;
        try (InputStream in = Files.newInputStream(json)) {
            serviceAccount = ServiceAccountCredentials.fromStream(in);
        } catch (NoSuchFileException e) {
            throw new IOException("Vertex AI credentials file " + json + " does not exist; set credentialsFile to a service-account JSON key.", e);
        } catch (IOException | RuntimeException e) {
            // The library's messages name missing fields, never key material; redact anyway in case a future version quotes the file.
            throw new IOException("Vertex AI credentials file " + json + " is not a usable service-account JSON key ("
                    + Secrets.redact(e.getMessage()) + "); download a new key for the service account from the Google Cloud console.");
        }
        return new VertexCredentials(serviceAccount.createScoped(List.of(CLOUD_PLATFORM_SCOPE)), serviceAccount.getProjectId(),
                "service account " + serviceAccount.getClientEmail() + " (" + json + ")");
    }

    /** Application Default Credentials: GOOGLE_APPLICATION_CREDENTIALS, gcloud's login, or the metadata server. */
    public static VertexCredentials applicationDefault() throws IOException {
        GoogleCredentials adc;
        try {
            adc = GoogleCredentials.getApplicationDefault();
        } catch (IOException e) {
            throw new IOException("No Google Application Default Credentials found (" + Secrets.redact(e.getMessage())
                    + "). Set credentialsFile to a service-account JSON key, set GOOGLE_APPLICATION_CREDENTIALS, or run"
                    + " 'gcloud auth application-default login'.", e);
        }
        GoogleCredentials scoped = adc.createScopedRequired() ? adc.createScoped(List.of(CLOUD_PLATFORM_SCOPE)) : adc;
        return new VertexCredentials(scoped, adc.getProjectId(), "Application Default Credentials");
    }

    /** A valid access token, from the cache unless it is about to expire. Never log it. */
    public String bearerToken() throws IOException {
        AccessToken token;
        try {
            credentials.refreshIfExpired();
            token = credentials.getAccessToken();
        } catch (IOException e) {
            throw new IOException("Could not get a Vertex AI access token for " + source + ": " + oneLine(Secrets.redact(e.getMessage()))
                    + ". Check that the key is not deleted or disabled and that the token endpoint is reachable.", e);
        }
        if (token == null) {
            throw new IOException("The token endpoint for " + source + " returned no access token.");
        }
        Secrets.register(token.getTokenValue());
        return token.getTokenValue();
    }

    private static String oneLine(String text) {
        return text == null ? "" : text.strip().replaceAll("\\s*\\R\\s*", " ");
    }

    /** The project named in the service-account file (or known to ADC); null when it does not say. */
    public String projectId() {
        return projectId;
    }
}
