package io.github.geminiimagebatch.component;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.geminiimagebatch.GeminiImageException;
import io.github.geminiimagebatch.gemini.DecodedResponse;
import io.github.geminiimagebatch.gemini.ImageInfo;
import io.github.geminiimagebatch.gemini.ImageRequest;
import io.github.geminiimagebatch.pipeline.ItemCalls;
import io.github.geminiimagebatch.pipeline.ItemExchange;
import io.github.geminiimagebatch.pipeline.WorkItem;
import io.github.geminiimagebatch.prompt.PromptItem;
import io.github.geminiimagebatch.prompt.RequestKey;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Producer;
import org.apache.camel.support.DefaultProducer;
import org.apache.camel.support.service.ServiceHelper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Sends one prompt through the shared engine and puts the image and its facts on the message; or
 * fails the exchange with a {@link GeminiImageException} that carries the reason class. A message
 * that already carries a bundle work item (the bundle's own item route) is worked on as it is.
 */
public class GeminiImageProducer extends DefaultProducer {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final GeminiImageEndpoint endpoint;
    private Producer providerCall;

    public GeminiImageProducer(GeminiImageEndpoint endpoint) {
        super(endpoint);
        this.endpoint = endpoint;
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        GeminiImageEngine engine = endpoint.getComponent().engine();
        ItemCalls calls = engine.calls(endpoint.providerOrder());
        WorkItem bundleItem = ItemExchange.item(exchange);
        if (bundleItem != null) {
            calls.run(getEndpoint().getCamelContext(), providerCall(), bundleItem);
            return;
        }
        WorkItem item = item(engine, exchange.getMessage());
        calls.run(getEndpoint().getCamelContext(), providerCall(), item);
        if (!item.isImageReady()) {
            throw new GeminiImageException(item.getReasonClass(), "No image for prompt '" + item.getId() + "' ("
                    + item.getReasonClass() + "): " + item.getMessage());
        }
        answer(exchange.getMessage(), item);
    }

    private synchronized Producer providerCall() throws Exception {
        if (providerCall == null) {
            providerCall = getEndpoint().getCamelContext().getEndpoint(ItemCalls.PROVIDER_CALL).createProducer();
            ServiceHelper.startService(providerCall);
        }
        return providerCall;
    }

    @Override
    protected void doStop() throws Exception {
        ServiceHelper.stopService(providerCall);
        super.doStop();
    }

    /** The request: the body's fields, else the headers, else the endpoint's options, else the imagegen.* defaults. */
    private WorkItem item(GeminiImageEngine engine, Message in) throws GeminiImageException {
        Map<String, Object> fields = fields(in.getBody());
        String prompt = text(fields.get("prompt"));
        String id = text(fields.get("id"));
        String model = first(text(fields.get("model")), in.getHeader(GeminiImageHeaders.MODEL, String.class),
                endpoint.getModel(), engine.defaults().model());
        String aspectRatio = first(text(fields.get("aspectRatio")), in.getHeader(GeminiImageHeaders.ASPECT_RATIO, String.class),
                endpoint.getAspectRatio(), engine.defaults().aspectRatio());
        String imageSize = first(text(fields.get("imageSize")), in.getHeader(GeminiImageHeaders.SIZE, String.class),
                endpoint.getImageSize(), engine.defaults().imageSize());
        List<Path> references = new ArrayList<>();
        if (fields.get("referenceImages") instanceof List<?> list) {
            list.forEach(r -> references.add(Path.of(String.valueOf(r))));
        }
        if (prompt == null || prompt.isBlank()) {
            throw new GeminiImageException("invalid_input", "The message has no prompt: send the prompt as a String body,"
                    + " or a JSON object or Map with a \"prompt\" field.");
        }
        ImageRequest request = new ImageRequest(model, prompt, aspectRatio, imageSize, references);
        String key;
        try {
            key = RequestKey.ofFiles(model, prompt, aspectRatio, imageSize, references);
        } catch (IOException e) {
            throw new GeminiImageException("invalid_input", "A reference image could not be read: " + e.getMessage());
        }
        String itemId = id != null ? id : key.substring(0, Math.min(12, key.length()));
        PromptItem prompted = new PromptItem(itemId, 0, prompt, aspectRatio, imageSize, model, references, null, null);
        return new WorkItem(engine.batch(), prompted, request, key);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> fields(Object body) throws GeminiImageException {
        if (body instanceof Map<?, ?> map) {
            return (Map<String, Object>) map;
        }
        String text = body instanceof byte[] bytes ? new String(bytes, java.nio.charset.StandardCharsets.UTF_8)
                : body == null ? null : body.toString();
        if (text != null && text.stripLeading().startsWith("{")) {
            try {
                JsonNode node = JSON.readTree(text);
                return JSON.convertValue(node, Map.class);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new GeminiImageException("invalid_input", "The message body looks like JSON but cannot be read ("
                        + e.getOriginalMessage() + "). Send a JSON object with a \"prompt\" field, or the prompt as text.");
            }
        }
        return text == null ? Map.of() : Map.of("prompt", text);
    }

    private static String text(Object value) {
        return value == null ? null : value.toString();
    }

    private static String first(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v;
            }
        }
        return null;
    }

    /** The image as the body (bytes, read from the decoder's temporary file, which is then deleted) and its facts as headers. */
    private static void answer(Message out, WorkItem item) throws IOException {
        DecodedResponse result = item.getResult();
        try {
            out.setBody(Files.readAllBytes(result.imageFile()));
        } finally {
            Files.deleteIfExists(result.imageFile());
        }
        out.setHeader(GeminiImageHeaders.MIME_TYPE, result.mimeType());
        out.setHeader(GeminiImageHeaders.WIDTH, result.width());
        out.setHeader(GeminiImageHeaders.HEIGHT, result.height());
        out.setHeader(GeminiImageHeaders.SHA256, result.sha256());
        out.setHeader(GeminiImageHeaders.PROVIDER, item.getProvider());
        out.setHeader(GeminiImageHeaders.MODEL, item.getRequest().model());
        out.setHeader(GeminiImageHeaders.COST_USD, item.getCostUsd());
        out.setHeader(GeminiImageHeaders.REQUEST_KEY, item.getRequestKey());
        out.setHeader(GeminiImageHeaders.FILE_EXTENSION, ImageInfo.extensionFor(result.mimeType()));
    }
}
