package io.github.geminiimagebatch.gemini;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import io.github.geminiimagebatch.model.ModelCatalog;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * JSON request bodies for each provider type. Reference images are base64-encoded straight from
 * their files into the output, so a large reference never sits in memory as a string.
 */
public final class RequestBodies {

    private static final JsonFactory JSON = JsonFactory.builder()
            .disable(StreamWriteFeature.AUTO_CLOSE_TARGET)
            .build();

    private RequestBodies() {
    }

    /** generateContent body for AI Studio, Vertex AI and Gemini-compatible gateways. */
    public static byte[] gemini(ImageRequest r) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeGemini(r, out);
        return out.toByteArray();
    }

    /**
     * Chat-completions body for OpenRouter. {@code routedModel} is OpenRouter's model id
     * (e.g. {@code google/gemini-2.5-flash-image}); null means {@code r.model()}.
     */
    public static byte[] openRouter(ImageRequest r, String routedModel) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeOpenRouter(r, routedModel, out);
        return out.toByteArray();
    }

    /** Streams the {@link #gemini} body to {@code out}; leaves {@code out} open. */
    public static void writeGemini(ImageRequest r, OutputStream out) throws IOException {
        List<String> referenceMimes = referenceMimes(r);
        try (JsonGenerator json = JSON.createGenerator(out, JsonEncoding.UTF8)) {
            json.writeStartObject();
            json.writeArrayFieldStart("contents");
            json.writeStartObject();
            json.writeStringField("role", "user");
            json.writeArrayFieldStart("parts");
            json.writeStartObject();
            json.writeStringField("text", r.prompt());
            json.writeEndObject();
            for (int i = 0; i < referenceMimes.size(); i++) {
                json.writeStartObject();
                json.writeObjectFieldStart("inlineData");
                json.writeStringField("mimeType", referenceMimes.get(i));
                json.writeFieldName("data");
                writeBase64String(json, out, "", r.referenceImages().get(i));
                json.writeEndObject();
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeEndObject();
            json.writeEndArray();

            json.writeObjectFieldStart("generationConfig");
            json.writeArrayFieldStart("responseModalities");
            json.writeString("IMAGE");
            json.writeEndArray();
            writeImageConfig(json, "imageConfig", "aspectRatio", "imageSize", r, r.model());
            json.writeEndObject();
            json.writeEndObject();
        }
    }

    /** Streams the {@link #openRouter} body to {@code out}; leaves {@code out} open. */
    public static void writeOpenRouter(ImageRequest r, String routedModel, OutputStream out) throws IOException {
        String model = routedModel == null ? r.model() : routedModel;
        List<String> referenceMimes = referenceMimes(r);
        try (JsonGenerator json = JSON.createGenerator(out, JsonEncoding.UTF8)) {
            json.writeStartObject();
            json.writeStringField("model", model);
            json.writeArrayFieldStart("messages");
            json.writeStartObject();
            json.writeStringField("role", "user");
            if (r.referenceImages().isEmpty()) {
                json.writeStringField("content", r.prompt());
            } else {
                json.writeArrayFieldStart("content");
                json.writeStartObject();
                json.writeStringField("type", "text");
                json.writeStringField("text", r.prompt());
                json.writeEndObject();
                for (int i = 0; i < referenceMimes.size(); i++) {
                    json.writeStartObject();
                    json.writeStringField("type", "image_url");
                    json.writeObjectFieldStart("image_url");
                    json.writeFieldName("url");
                    writeBase64String(json, out, "data:" + referenceMimes.get(i) + ";base64,", r.referenceImages().get(i));
                    json.writeEndObject();
                    json.writeEndObject();
                }
                json.writeEndArray();
            }
            json.writeEndObject();
            json.writeEndArray();
            json.writeArrayFieldStart("modalities");
            json.writeString("image");
            json.writeString("text");
            json.writeEndArray();
            writeImageConfig(json, "image_config", "aspect_ratio", "image_size", r, model);
            json.writeEndObject();
        }
    }

    private static void writeImageConfig(JsonGenerator json, String objectName, String aspectRatioName, String imageSizeName,
            ImageRequest r, String model) throws IOException {
        String imageSize = ModelCatalog.takesImageSize(model) ? r.imageSize() : null;
        if (r.aspectRatio() == null && imageSize == null) {
            return;
        }
        json.writeObjectFieldStart(objectName);
        if (r.aspectRatio() != null) {
            json.writeStringField(aspectRatioName, r.aspectRatio());
        }
        if (imageSize != null) {
            json.writeStringField(imageSizeName, imageSize);
        }
        json.writeEndObject();
    }

    /** Checked before the first byte is written, so a bad reference never leaves half a body behind. */
    private static List<String> referenceMimes(ImageRequest r) throws IOException {
        List<String> mimes = new ArrayList<>();
        for (Path reference : r.referenceImages()) {
            mimes.add(referenceMime(reference));
        }
        return mimes;
    }

    private static String referenceMime(Path reference) throws IOException {
        String mime;
        try {
            mime = ImageInfo.readMime(reference);
        } catch (IOException e) {
            throw new IOException("Reference image " + reference + " cannot be read (" + e.getMessage()
                    + "); check the referenceImages path, which is relative to the prompt file.", e);
        }
        if (mime == null) {
            throw new IOException("Reference image " + reference
                    + " is not a PNG, JPEG, WEBP or GIF file (judged by its first bytes); convert it to one of those.");
        }
        return mime;
    }

    /**
     * Writes a JSON string value made of {@code prefix} and the file's standard base64, encoding
     * the file in a streaming pass directly into {@code out}. Base64 and the data-URL prefix need
     * no JSON escaping, so the generator only has to be flushed before and told nothing.
     */
    private static void writeBase64String(JsonGenerator json, OutputStream out, String prefix, Path file) throws IOException {
        json.writeRawValue("\"" + prefix);
        json.flush();
        try (OutputStream base64 = Base64.getEncoder().wrap(new NonClosingOutputStream(out))) {
            Files.copy(file, base64);
        }
        json.writeRaw('"');
    }
}
