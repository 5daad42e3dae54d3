package io.github.geminiimagebatch.simulator;

import com.google.auth.oauth2.GoogleCredentials;
import com.google.auth.oauth2.ServiceAccountCredentials;
import com.google.genai.Client;
import com.google.genai.types.GenerateContentConfig;
import com.google.genai.types.GenerateContentResponse;
import com.google.genai.types.HttpOptions;
import com.google.genai.types.HttpRetryOptions;
import com.google.genai.types.ImageConfig;
import com.google.genai.types.Part;
import io.github.geminiimagebatch.testing.ServiceAccounts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The official Google GenAI Java SDK, pointed at the simulator, must parse its answers. */
class GenAiSdkTest {

    @TempDir
    Path dir;
    private final KeyPair keys = ServiceAccounts.newKeyPair();
    private GeminiSimulator simulator;

    @BeforeEach
    void start() throws IOException {
        Path serverAccount = ServiceAccounts.write(dir.resolve("server.json"), keys, "https://oauth2.googleapis.com/token");
        simulator = GeminiSimulator.start(SimulatorOptions.builder().serviceAccountFile(serverAccount).build());
    }

    @AfterEach
    void stop() {
        simulator.close();
    }

    private HttpOptions httpOptions() {
        return HttpOptions.builder().baseUrl(simulator.baseUri().toString())
                .retryOptions(HttpRetryOptions.builder().attempts(1).build()).build();
    }

    /** The SDK in Vertex mode with Google's auth library reading the service-account key file. */
    private Client vertexClient(Path keyFile) throws IOException {
        GoogleCredentials credentials;
        try (InputStream in = Files.newInputStream(keyFile)) {
            credentials = ServiceAccountCredentials.fromStream(in).createScoped(List.of("https://www.googleapis.com/auth/cloud-platform"));
        }
        return Client.builder().vertexAI(true).project("sim-project").location("global")
                .credentials(credentials).httpOptions(httpOptions()).build();
    }

    private static GenerateContentConfig imageConfig(String aspectRatio, String imageSize) {
        return GenerateContentConfig.builder().responseModalities("IMAGE")
                .imageConfig(ImageConfig.builder().aspectRatio(aspectRatio).imageSize(imageSize).build()).build();
    }

    private static BufferedImage finalImage(GenerateContentResponse response) {
        Part imagePart = response.parts().stream().filter(part -> part.inlineData().isPresent()).reduce((first, last) -> last).orElseThrow();
        assertThat(imagePart.inlineData().get().mimeType()).contains("image/png");
        return SimClient.image(imagePart.inlineData().get().data().orElseThrow());
    }

    @Test
    void aiStudioModeGeneratesAnImageOfTheRightSize() {
        try (Client client = Client.builder().apiKey("k").httpOptions(httpOptions()).build()) {
            GenerateContentResponse response = client.models.generateContent("gemini-3.1-flash-image",
                    "a lighthouse at dusk", imageConfig("16:9", "2K"));

            BufferedImage image = finalImage(response);
            assertThat(image.getWidth()).isEqualTo(2752);
            assertThat(image.getHeight()).isEqualTo(1536);
            assertThat(response.candidates().orElseThrow().get(0).finishReason().orElseThrow().toString()).isEqualTo("STOP");
            assertThat(response.usageMetadata().orElseThrow().candidatesTokenCount()).contains(1680);
            assertThat(response.modelVersion()).contains("gemini-3.1-flash-image");
        }
        assertThat(simulator.stats().at("/requestsByEndpoint/aistudio").asLong()).isEqualTo(1);
        assertThat(simulator.stats().path("imagesBilled").asLong()).isEqualTo(1);
    }

    @Test
    void sdkSurfacesTheQuotaErrorAsAClientError() throws IOException {
        simulator.close();
        simulator = GeminiSimulator.start(SimulatorOptions.builder().rpm(0).build());
        try (Client client = Client.builder().apiKey("k").httpOptions(httpOptions()).build()) {
            assertThatThrownBy(() -> client.models.generateContent("gemini-2.5-flash-image", "x", imageConfig("1:1", "1K")))
                    .hasMessageContaining("429").hasMessageContaining("You exceeded your current quota");
        }
    }

    @Test
    void vertexModeWithServiceAccountCredentialsGoesThroughTheTokenEndpoint() throws IOException {
        Path clientAccount = ServiceAccounts.write(dir.resolve("client.json"), keys, simulator.baseUri() + "/token");
        try (Client client = vertexClient(clientAccount)) {
            GenerateContentResponse response = client.models.generateContent("gemini-3-pro-image-preview",
                    "a vertex lighthouse", imageConfig("3:2", "1K"));

            BufferedImage image = finalImage(response);
            assertThat(image.getWidth()).isEqualTo(1264);
            assertThat(image.getHeight()).isEqualTo(848);
        }
        assertThat(simulator.stats().at("/requestsByEndpoint/vertex").asLong()).isEqualTo(1);
        assertThat(simulator.stats().path("tokensIssued").asLong()).isEqualTo(1);
    }

    @Test
    void oneKeyFileWhoseTokenUriPointsAtTheSimulatorServesBothSidesThroughGooglesAuthLibrary() throws IOException {
        simulator.close();
        // the simulator must be listening before the file can name its /token URL: start, write, restart on that port
        simulator = GeminiSimulator.start(SimulatorOptions.builder().port(0).build());
        int port = simulator.port();
        simulator.close();
        Path shared = ServiceAccounts.write(dir.resolve("shared.json"), keys, "http://127.0.0.1:" + port + "/token");
        simulator = GeminiSimulator.start(SimulatorOptions.builder().port(port).serviceAccountFile(shared).build());
        try (Client client = vertexClient(shared)) {
            GenerateContentResponse response = client.models.generateContent("gemini-2.5-flash-image",
                    "one key file", imageConfig("1:1", "1K"));

            assertThat(finalImage(response).getWidth()).isEqualTo(1024);
        }
        assertThat(simulator.stats().path("tokensIssued").asLong()).isEqualTo(1);
        assertThat(simulator.stats().at("/requestsByEndpoint/vertex").asLong()).isEqualTo(1);
    }

    @Test
    void withImageAsTheOnlyResponseModalityTheAnswerHasNoTextPartSoPartsZeroIsTheImage() {
        try (Client client = Client.builder().apiKey("k").httpOptions(httpOptions()).build()) {
            GenerateContentResponse response = client.models.generateContent("gemini-3.1-flash-image",
                    "only the picture", imageConfig("1:1", "1K"));

            List<Part> parts = response.parts();
            assertThat(parts).hasSize(1);
            assertThat(parts.get(0).inlineData()).isPresent();
            assertThat(parts.get(0).text()).isEmpty();

            GenerateContentResponse both = client.models.generateContent("gemini-3.1-flash-image", "picture and words",
                    GenerateContentConfig.builder().responseModalities("TEXT", "IMAGE").build());
            assertThat(both.parts()).hasSize(2);
            assertThat(both.parts().get(0).text()).isPresent();
        }
    }
}
