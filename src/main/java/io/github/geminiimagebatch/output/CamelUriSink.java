package io.github.geminiimagebatch.output;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Any Camel endpoint ({@code imagegen.output.uri}: file:, ftp:, jms:, kafka:, seda: ...) also receives
 * each image: the body is the image's {@link java.io.File} (endpoints stream it; nothing reads it into
 * memory here) and headers describe it. The file is deleted once the send returns, so an asynchronous
 * endpoint must finish with the body first (for seda use {@code waitForTaskToComplete=Always}).
 * Documents (sidecars, manifests, reports) are not sent: the headers carry what a receiver needs, and
 * such an endpoint cannot answer "already stored?", so it never causes a skip.
 */
public final class CamelUriSink implements OutputSink {

    public static final String HEADER_BATCH = "ImagegenBatch";
    public static final String HEADER_ID = "ImagegenId";
    public static final String HEADER_MIME_TYPE = "ImagegenMimeType";
    public static final String HEADER_REQUEST_KEY = "ImagegenRequestKey";
    public static final String HEADER_SHA256 = "ImagegenSha256";
    public static final String HEADER_WIDTH = "ImagegenWidth";
    public static final String HEADER_HEIGHT = "ImagegenHeight";

    private final String uri;
    private final Supplier<CamelContext> camel;
    private final Retrier retrier;
    private ProducerTemplate template;

    /** @param camel the running context; asked for on the first send, when Camel Main has started */
    public CamelUriSink(String uri, Supplier<CamelContext> camel, Retrier retrier) {
        this.uri = uri;
        this.camel = camel;
        this.retrier = retrier;
    }

    @Override
    public String name() {
        return "uri";
    }

    @Override
    public void putImage(OutputImage image) throws IOException {
        long length = Files.size(image.file());
        retrier.call("sending " + image.relativeName() + " to imagegen.output.uri", () -> {
            Exchange result = template().send(uri, exchange -> {
                var in = exchange.getIn();
                in.setBody(image.file().toFile());
                in.setHeader(Exchange.FILE_NAME, image.relativeName());
                in.setHeader(Exchange.CONTENT_TYPE, image.mimeType());
                in.setHeader(Exchange.CONTENT_LENGTH, length);
                in.setHeader(HEADER_BATCH, image.batch());
                in.setHeader(HEADER_ID, image.id());
                in.setHeader(HEADER_MIME_TYPE, image.mimeType());
                in.setHeader(HEADER_REQUEST_KEY, image.requestKey());
                in.setHeader(HEADER_SHA256, image.sha256());
                in.setHeader(HEADER_WIDTH, image.width());
                in.setHeader(HEADER_HEIGHT, image.height());
            });
            if (result.getException() != null) {
                throw result.getException();
            }
            return null;
        });
    }

    @Override
    public void putDocument(String relativeName, byte[] content, String contentType) {
        // images only: see the class comment
    }

    @Override
    public Optional<String> completedImage(String requestKey) {
        return Optional.empty();
    }

    private synchronized ProducerTemplate template() {
        if (template == null) {
            template = camel.get().createProducerTemplate();
        }
        return template;
    }
}
