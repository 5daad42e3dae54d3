package io.github.geminiimagebatch.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.net.http.HttpResponse;

import static io.github.geminiimagebatch.simulator.SimClient.json;
import static org.assertj.core.api.Assertions.assertThat;

class OpenRouterHttpTest {

    private static final String MODEL = "google/gemini-2.5-flash-image";
    private GeminiSimulator simulator;
    private SimClient client;

    @BeforeEach
    void start() throws IOException {
        simulator = GeminiSimulator.start(SimulatorOptions.defaults());
        client = new SimClient(simulator);
    }

    @AfterEach
    void stop() {
        simulator.close();
    }

    @Test
    void answersWithADataUrlImageAndUsage() {
        HttpResponse<String> response = client.openRouter("google/gemini-3-pro-image-preview", "a harbour", "16:9", "2K");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = json(response);
        assertThat(body.path("object").asText()).isEqualTo("chat.completion");
        assertThat(body.path("model").asText()).isEqualTo("google/gemini-3-pro-image-preview");
        JsonNode message = body.at("/choices/0/message");
        assertThat(body.at("/choices/0/finish_reason").asText()).isEqualTo("stop");
        assertThat(message.path("role").asText()).isEqualTo("assistant");
        String url = message.at("/images/0/image_url/url").asText();
        assertThat(url).startsWith("data:image/png;base64,");
        BufferedImage image = SimClient.image(SimClient.base64(url.substring("data:image/png;base64,".length())));
        assertThat(image.getWidth()).isEqualTo(2752);
        assertThat(image.getHeight()).isEqualTo(1536);
        assertThat(body.at("/usage/completion_tokens").asInt()).isEqualTo(1120);
        assertThat(body.at("/usage/total_tokens").asInt()).isEqualTo(body.at("/usage/prompt_tokens").asInt() + 1120);
        assertThat(simulator.stats().at("/requestsByEndpoint/openrouter").asLong()).isEqualTo(1);
    }

    @Test
    void contentMayBeAnArrayOfParts() {
        String body = "{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"parts\"}]}],"
                + "\"modalities\":[\"image\",\"text\"]}";
        HttpResponse<String> response = client.post("/api/v1/chat/completions", body, "Authorization", "Bearer k");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(simulator.stats().at("/billedByPrompt/parts").asLong()).isEqualTo(1);
    }

    @Test
    void errorDuringGenerationComesAsHttp200WithAnErrorObject() throws IOException {
        HttpResponse<String> response = client.openRouter(MODEL, "[sim:error200]", null, null);
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode error = json(response).path("error");
        assertThat(error.path("code").asInt()).isEqualTo(502);
        assertThat(error.path("message").asText()).isEqualTo("Provider returned error");
        assertThat(SimClient.JSON.readTree(error.at("/metadata/raw").asText()).at("/error/status").asText()).isEqualTo("INTERNAL");
        assertThat(json(response).has("choices")).isFalse();
    }

    @Test
    void upstreamErrorsKeepTheirStatusAndCarryGooglesBodyAsRaw() throws IOException {
        HttpResponse<String> response = client.openRouter(MODEL, "[sim:503]", null, null);
        assertThat(response.statusCode()).isEqualTo(503);
        JsonNode error = json(response).path("error");
        assertThat(error.at("/metadata/provider_name").asText()).isEqualTo("Google AI Studio");
        assertThat(SimClient.JSON.readTree(error.at("/metadata/raw").asText()).at("/error/message").asText())
                .isEqualTo("The model is overloaded. Please try again later.");
    }

    @Test
    void safetyIsAContentFilterFinishWithoutImages() {
        JsonNode body = json(client.openRouter(MODEL, "[sim:safety]", null, null));
        assertThat(body.at("/choices/0/finish_reason").asText()).isEqualTo("content_filter");
        assertThat(body.at("/choices/0/native_finish_reason").asText()).isEqualTo("IMAGE_SAFETY");
        assertThat(body.at("/choices/0/message").has("images")).isFalse();
    }

    @Test
    void authAndModelErrorsLookLikeOpenRouters() {
        HttpResponse<String> noKey = client.post("/api/v1/chat/completions", "{}");
        assertThat(noKey.statusCode()).isEqualTo(401);
        assertThat(noKey.body()).isEqualTo("{\"error\":{\"code\":401,\"message\":\"No auth credentials found\"}}");
        HttpResponse<String> unknownModel = client.openRouter("google/gemini-9", "x", null, null);
        assertThat(unknownModel.statusCode()).isEqualTo(400);
        assertThat(json(unknownModel).at("/error/message").asText()).isEqualTo("google/gemini-9 is not a valid model ID");
        HttpResponse<String> badRatio = client.openRouter(MODEL, "x", "1:8", null);
        assertThat(badRatio.statusCode()).isEqualTo(400);
    }
}
