package io.github.geminiimagebatch.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;

/** Real HTTP on loopback against a running simulator, plus helpers to read its answers. */
final class SimClient {

    static final String KEY = "test-key";
    static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final URI base;

    SimClient(GeminiSimulator simulator) {
        this.base = simulator.baseUri();
    }

    HttpResponse<String> post(String path, String body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return send(request.build());
    }

    HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30)).GET().build());
    }

    /** AI Studio call with the test key in the x-goog-api-key header. */
    HttpResponse<String> aiStudio(String model, String prompt, String aspectRatio, String imageSize) {
        return post("/v1beta/models/" + model + ":generateContent", geminiBody(prompt, aspectRatio, imageSize),
                "x-goog-api-key", KEY, "Content-Type", "application/json");
    }

    HttpResponse<String> aiStudio(String prompt) {
        return aiStudio("gemini-2.5-flash-image", prompt, null, null);
    }

    HttpResponse<String> openRouter(String model, String prompt, String aspectRatio, String imageSize) {
        ObjectNode body = JSON.createObjectNode();
        body.put("model", model);
        body.putArray("messages").addObject().put("role", "user").put("content", prompt);
        body.putArray("modalities").add("image").add("text");
        ObjectNode config = body.putObject("image_config");
        if (aspectRatio != null) {
            config.put("aspect_ratio", aspectRatio);
        }
        if (imageSize != null) {
            config.put("image_size", imageSize);
        }
        return post("/api/v1/chat/completions", body.toString(), "Authorization", "Bearer " + KEY, "Content-Type", "application/json");
    }

    HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static String geminiBody(String prompt, String aspectRatio, String imageSize) {
        ObjectNode body = JSON.createObjectNode();
        body.putArray("contents").addObject().put("role", "user").putArray("parts").addObject().put("text", prompt);
        ObjectNode generation = body.putObject("generationConfig");
        // text and image, as many clients ask: the answer has a text part before the image (IMAGE alone has none)
        generation.putArray("responseModalities").add("TEXT").add("IMAGE");
        ObjectNode imageConfig = generation.putObject("imageConfig");
        if (aspectRatio != null) {
            imageConfig.put("aspectRatio", aspectRatio);
        }
        if (imageSize != null) {
            imageConfig.put("imageSize", imageSize);
        }
        return body.toString();
    }

    static JsonNode json(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException("Not JSON: " + response.body(), e);
        }
    }

    static byte[] base64(String data) {
        return Base64.getDecoder().decode(data);
    }

    static BufferedImage image(byte[] bytes) {
        try {
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(bytes));
            if (image == null) {
                throw new IllegalStateException("Not a readable image (" + bytes.length + " bytes)");
            }
            return image;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
