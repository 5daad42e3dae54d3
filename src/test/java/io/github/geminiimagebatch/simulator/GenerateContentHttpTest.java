package io.github.geminiimagebatch.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.Set;

import static io.github.geminiimagebatch.simulator.SimClient.json;
import static org.assertj.core.api.Assertions.assertThat;

class GenerateContentHttpTest extends SimulatorHttpTestBase {

    @ParameterizedTest
    @CsvSource({
            "gemini-2.5-flash-image, 16:9, , 1344, 768, 1290",
            "gemini-2.5-flash-image, 1:1, 4K, 1024, 1024, 1290",
            "gemini-3-pro-image-preview, 3:4, 2K, 1792, 2400, 1120",
            "gemini-3-pro-image, 21:9, 4K, 6336, 2688, 2000",
            "gemini-3.1-flash-image, 8:1, 1K, 3072, 384, 1120",
            "gemini-3.1-flash-image-preview, 1:1, 512, 512, 512, 747",
    })
    void answersWithAValidImageOfTheDocumentedSizeAndUsage(String model, String ratio, String size,
                                                            int width, int height, int imageTokens) throws IOException {
        start(SimulatorOptions.builder());
        HttpResponse<String> response = client.aiStudio(model, "a lighthouse at dusk", ratio, size);

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = json(response);
        JsonNode candidate = body.at("/candidates/0");
        assertThat(candidate.path("finishReason").asText()).isEqualTo("STOP");
        assertThat(candidate.at("/content/role").asText()).isEqualTo("model");
        assertThat(candidate.at("/content/parts/0/text").asText()).isEqualTo("Here is your image.");
        assertThat(candidate.at("/content/parts/1/inlineData/mimeType").asText()).isEqualTo("image/png");
        BufferedImage image = SimClient.image(SimClient.base64(candidate.at("/content/parts/1/inlineData/data").asText()));
        assertThat(image.getWidth()).isEqualTo(width);
        assertThat(image.getHeight()).isEqualTo(height);
        JsonNode usage = body.path("usageMetadata");
        assertThat(usage.at("/candidatesTokensDetails/0/modality").asText()).isEqualTo("IMAGE");
        assertThat(usage.at("/candidatesTokensDetails/0/tokenCount").asInt()).isEqualTo(imageTokens);
        assertThat(usage.path("candidatesTokenCount").asInt()).isEqualTo(imageTokens);
        assertThat(usage.path("promptTokenCount").asInt()).isPositive();
        assertThat(usage.path("totalTokenCount").asInt()).isEqualTo(usage.path("promptTokenCount").asInt() + imageTokens);
        assertThat(body.path("modelVersion").asText()).isEqualTo(model);
        assertThat(body.path("responseId").asText()).isNotBlank();
        assertThat(usage.has("trafficType")).as("AI Studio has no traffic type").isFalse();
    }

    @Test
    void samePromptGivesTheSameImageAndAnotherPromptAnotherImage() throws IOException {
        start(SimulatorOptions.builder());
        String first = inlineData(client.aiStudio("a red fox"));
        assertThat(inlineData(client.aiStudio("a red fox"))).isEqualTo(first);
        assertThat(inlineData(client.aiStudio("a blue whale"))).isNotEqualTo(first);
    }

    @Test
    void flatImagesStayFewKilobytesEvenAt4K() throws IOException {
        start(SimulatorOptions.builder());
        byte[] png = SimClient.base64(inlineData(client.aiStudio("gemini-3-pro-image", "a field", "1:1", "4K")));
        assertThat(SimClient.image(png).getWidth()).isEqualTo(4096);
        assertThat(png.length).isLessThan(12 * 1024);
    }

    @Test
    void noiseImagesAreIncompressibleAndStillDecode() throws IOException {
        start(SimulatorOptions.builder().imageMode(ImageMode.NOISE));
        byte[] png = SimClient.base64(inlineData(client.aiStudio("gemini-3.1-flash-image", "static", "16:9", "2K")));
        BufferedImage image = SimClient.image(png);
        assertThat(image.getWidth()).isEqualTo(2752);
        assertThat(image.getHeight()).isEqualTo(1536);
        assertThat(png.length).isGreaterThan(2752 * 1536 * 3);
    }

    @Test
    void jpegFormatAndVertexOutputMimeTypeGiveJpegs() throws IOException {
        start(SimulatorOptions.builder().imageFormat(ImageFormat.JPEG));
        JsonNode body = json(client.aiStudio("gemini-3.1-flash-image", "a jpeg", "4:3", "1K"));
        assertThat(body.at("/candidates/0/content/parts/1/inlineData/mimeType").asText()).isEqualTo("image/jpeg");
        BufferedImage image = SimClient.image(SimClient.base64(body.at("/candidates/0/content/parts/1/inlineData/data").asText()));
        assertThat(image.getWidth()).isEqualTo(1200);
        assertThat(image.getHeight()).isEqualTo(896);

        String pngRequest = "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"png please\"}]}],"
                + "\"generationConfig\":{\"imageConfig\":{\"aspectRatio\":\"1:1\",\"outputMimeType\":\"image/png\"}}}";
        JsonNode vertex = json(client.post("/v1/projects/p/locations/global/publishers/google/models/gemini-3-pro-image:generateContent",
                pngRequest, "Authorization", "Bearer anything"));
        assertThat(vertex.at("/candidates/0/content/parts/1/inlineData/mimeType").asText()).isEqualTo("image/png");
        assertThat(vertex.at("/usageMetadata/trafficType").asText()).isEqualTo("ON_DEMAND");
        assertThat(SimClient.image(SimClient.base64(vertex.at("/candidates/0/content/parts/1/inlineData/data").asText())).getWidth())
                .isEqualTo(1024);
    }

    @Test
    void proModelsCanSendAThoughtImageBeforeTheFinalOne() throws IOException {
        start(SimulatorOptions.builder().thoughtImages(true));
        JsonNode parts = json(client.aiStudio("gemini-3-pro-image", "thinking", "16:9", "2K")).at("/candidates/0/content/parts");
        assertThat(parts).hasSize(3);
        assertThat(parts.get(1).path("thought").asBoolean()).isTrue();
        assertThat(parts.get(2).has("thought")).isFalse();
        assertThat(SimClient.image(SimClient.base64(parts.get(2).at("/inlineData/data").asText())).getWidth()).isEqualTo(2752);
        assertThat(SimClient.image(SimClient.base64(parts.get(1).at("/inlineData/data").asText())).getWidth()).isEqualTo(1376);

        JsonNode flash = json(client.aiStudio("gemini-3.1-flash-image", "no thoughts", "16:9", "2K"));
        assertThat(flash.at("/candidates/0/content/parts")).hasSize(2);
    }

    @Test
    void keyMayComeAsQueryParameter() throws IOException {
        start(SimulatorOptions.builder().acceptedKeys(Set.of("good")));
        HttpResponse<String> response = client.post("/v1beta/models/gemini-2.5-flash-image:generateContent?key=good",
                SimClient.geminiBody("query key", null, null));
        assertThat(response.statusCode()).isEqualTo(200);
    }

    @Test
    void missingKeyIsPermissionDeniedLikeGoogle() throws IOException {
        start(SimulatorOptions.builder());
        HttpResponse<String> response = client.post("/v1beta/models/gemini-2.5-flash-image:generateContent",
                SimClient.geminiBody("no key", null, null));
        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(response.body()).isEqualTo("{\"error\":{\"code\":403,\"message\":\"Method doesn't allow unregistered callers"
                + " (callers without established identity). Please use API Key or other form of API consumer identity to call this API.\","
                + "\"status\":\"PERMISSION_DENIED\"}}");
    }

    @Test
    void wrongKeyIsApiKeyInvalidLikeGoogle() throws IOException {
        start(SimulatorOptions.builder().acceptedKeys(Set.of("the-right-key")));
        HttpResponse<String> response = client.aiStudio("wrong key");
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).isEqualTo("{\"error\":{\"code\":400,\"message\":\"API key not valid. Please pass a valid API key.\","
                + "\"status\":\"INVALID_ARGUMENT\",\"details\":[{\"@type\":\"type.googleapis.com/google.rpc.ErrorInfo\","
                + "\"reason\":\"API_KEY_INVALID\",\"domain\":\"googleapis.com\",\"metadata\":{\"service\":\"generativelanguage.googleapis.com\"}},"
                + "{\"@type\":\"type.googleapis.com/google.rpc.LocalizedMessage\",\"locale\":\"en-US\","
                + "\"message\":\"API key not valid. Please pass a valid API key.\"}]}}");
        assertThat(simulator.stats().path("imagesBilled").asLong()).isZero();
    }

    @Test
    void acceptedKeysChangeWhileItRunsOverPostSimKeys() throws IOException {
        start(SimulatorOptions.builder().acceptedKeys(Set.of("the-right-key")));
        assertThat(client.aiStudio("refused, then accepted").statusCode()).isEqualTo(400);

        HttpResponse<String> changed = client.post("/sim/keys", "[\"the-right-key\",\"" + SimClient.KEY + "\"]");
        assertThat(changed.statusCode()).isEqualTo(200);
        assertThat(changed.body()).isEqualTo("{\"acceptedKeys\":2}");
        assertThat(client.aiStudio("refused, then accepted").statusCode()).isEqualTo(200);

        assertThat(client.post("/sim/keys", "[\"the-right-key\"]").statusCode()).isEqualTo(200);
        assertThat(client.aiStudio("accepted, then refused again").statusCode()).isEqualTo(400);
        assertThat(client.post("/sim/keys", "[]").statusCode()).isEqualTo(200);
        assertThat(client.aiStudio("any key").statusCode()).isEqualTo(200);
    }

    @Test
    void postSimKeysRefusesAnythingButAnArrayOfStringsAndKeepsTheKeys() throws IOException {
        start(SimulatorOptions.builder().acceptedKeys(Set.of("the-right-key")));
        for (String body : new String[]{"", "the-right-key", "{\"keys\":[]}", "[1]", "[\"a\",null]"}) {
            HttpResponse<String> answer = client.post("/sim/keys", body);
            assertThat(answer.statusCode()).as(body).isEqualTo(400);
            assertThat(answer.body()).contains("JSON array of the API keys");
        }
        assertThat(client.aiStudio("still refused").statusCode()).isEqualTo(400);
    }

    @Test
    void unknownModelIsNotFoundWithGooglesMessage() throws IOException {
        start(SimulatorOptions.builder());
        HttpResponse<String> response = client.aiStudio("gemini-9-ultra-image", "x", null, null);
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(json(response).at("/error/status").asText()).isEqualTo("NOT_FOUND");
        assertThat(json(response).at("/error/message").asText()).isEqualTo("models/gemini-9-ultra-image is not found for API version"
                + " v1beta, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.");
    }

    @Test
    void onlyConfiguredModelsAreServed() throws IOException {
        start(SimulatorOptions.builder().models(Set.of("models/gemini-2.5-flash-image")));
        assertThat(client.aiStudio("x").statusCode()).isEqualTo(200);
        assertThat(client.aiStudio("gemini-3-pro-image", "x", "1:1", "1K").statusCode()).isEqualTo(404);
        assertThat(client.openRouter("google/gemini-3-pro-image", "x", null, null).statusCode()).isEqualTo(400);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> SimulatorOptions.builder().models(Set.of("imagen-4")))
                .hasMessageContaining("Model 'imagen-4' has no pixel or token table");
    }

    @Test
    void invalidImageSettingsAreInvalidArgument() throws IOException {
        start(SimulatorOptions.builder());
        HttpResponse<String> ratio = client.aiStudio("gemini-3-pro-image", "x", "1:8", "1K");
        assertThat(ratio.statusCode()).isEqualTo(400);
        assertThat(json(ratio).at("/error/status").asText()).isEqualTo("INVALID_ARGUMENT");
        assertThat(json(ratio).at("/error/message").asText())
                .contains("1:8").contains("1:1, 2:3, 3:2, 3:4, 4:3, 4:5, 5:4, 9:16, 16:9, 21:9");

        HttpResponse<String> lowerCase = client.aiStudio("gemini-3-pro-image", "x", "1:1", "1k");
        assertThat(lowerCase.statusCode()).isEqualTo(400);
        assertThat(json(lowerCase).at("/error/message").asText()).contains("1k").contains("upper-case K");

        HttpResponse<String> noSmallTier = client.aiStudio("gemini-3-pro-image", "x", "1:1", "512");
        assertThat(noSmallTier.statusCode()).isEqualTo(400);

        HttpResponse<String> ignored = client.aiStudio("gemini-2.5-flash-image", "x", "1:1", "1k");
        assertThat(ignored.statusCode()).as("2.5 Flash Image ignores imageSize").isEqualTo(200);
    }

    @Test
    void malformedJsonAndMissingPromptAreInvalidArgument() throws IOException {
        start(SimulatorOptions.builder());
        HttpResponse<String> malformed = client.post("/v1beta/models/gemini-2.5-flash-image:generateContent", "{\"contents\": [",
                "x-goog-api-key", "k");
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(json(malformed).at("/error/message").asText()).startsWith("Invalid JSON payload received.");
        HttpResponse<String> empty = client.post("/v1beta/models/gemini-2.5-flash-image:generateContent", "{}", "x-goog-api-key", "k");
        assertThat(empty.statusCode()).isEqualTo(400);
        assertThat(json(empty).at("/error/message").asText()).contains("contents is not specified");
    }

    @Test
    void v1RejectsImageConfigAsGoogleDoes() throws IOException {
        start(SimulatorOptions.builder());
        HttpResponse<String> response = client.post("/v1/models/gemini-2.5-flash-image:generateContent",
                SimClient.geminiBody("x", "1:1", null), "x-goog-api-key", "k");
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json(response).at("/error/message").asText()).contains("Unknown name \"imageConfig\"");
    }

    @Test
    void statsCountRequestsAndImagesPerPrompt() throws IOException {
        start(SimulatorOptions.builder());
        client.aiStudio("one");
        client.aiStudio("one");
        client.aiStudio("two");
        client.aiStudio("gemini-9", "not billed", null, null);
        JsonNode stats = json(client.get("/sim/stats"));
        assertThat(stats.path("requests").asLong()).isEqualTo(4);
        assertThat(stats.at("/requestsByEndpoint/aistudio").asLong()).isEqualTo(4);
        assertThat(stats.path("imagesBilled").asLong()).isEqualTo(3);
        assertThat(stats.at("/billedByPrompt/one").asLong()).isEqualTo(2);
        assertThat(stats.at("/billedByPrompt/two").asLong()).isEqualTo(1);
        assertThat(stats.at("/responsesByStatus/404").asLong()).isEqualTo(1);
        assertThat(simulator.stats().path("billedByPrompt").toString()).isEqualTo(stats.path("billedByPrompt").toString());

        assertThat(client.post("/sim/reset", "").statusCode()).isEqualTo(200);
        JsonNode afterReset = simulator.stats();
        assertThat(afterReset.path("requests").asLong()).isZero();
        assertThat(afterReset.path("billedByPrompt")).isEmpty();
    }

    private String inlineData(HttpResponse<String> response) {
        assertThat(response.statusCode()).isEqualTo(200);
        return json(response).at("/candidates/0/content/parts/1/inlineData/data").asText();
    }
}
