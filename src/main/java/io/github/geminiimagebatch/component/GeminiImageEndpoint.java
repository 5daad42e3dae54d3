package io.github.geminiimagebatch.component;

import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriPath;
import org.apache.camel.support.DefaultEndpoint;

import java.util.Arrays;
import java.util.List;

/** {@code gemini-image:generate}: one prompt in, one image out. Options left empty take the imagegen.* defaults. */
@UriEndpoint(firstVersion = "1.0", scheme = "gemini-image", title = "Gemini Image", syntax = "gemini-image:operation",
        producerOnly = true, category = {Category.AI})
public class GeminiImageEndpoint extends DefaultEndpoint {

    @UriPath(description = "The operation: generate")
    @Metadata(required = true)
    private String operation = "generate";
    @UriParam(description = "Failover order of provider names (comma-separated), among imagegen.providers; default: all of them in that order")
    private String providers;
    @UriParam(description = "Model id, e.g. gemini-2.5-flash-image; default imagegen.model")
    private String model;
    @UriParam(description = "Aspect ratio, e.g. 1:1 or 16:9; default imagegen.aspectRatio")
    private String aspectRatio;
    @UriParam(description = "Image size: 1K, 2K or 4K; default imagegen.imageSize")
    private String imageSize;

    public GeminiImageEndpoint(String uri, GeminiImageComponent component) {
        super(uri, component);
    }

    @Override
    public Producer createProducer() {
        return new GeminiImageProducer(this);
    }

    @Override
    public Consumer createConsumer(Processor processor) {
        throw new UnsupportedOperationException("gemini-image is a producer only: send prompts to it with to(\""
                + getEndpointUri() + "\")");
    }

    @Override
    public GeminiImageComponent getComponent() {
        return (GeminiImageComponent) super.getComponent();
    }

    /** The providers option as names, empty for all configured providers in their order. */
    List<String> providerOrder() {
        if (providers == null || providers.isBlank()) {
            return List.of();
        }
        return Arrays.stream(providers.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    public String getOperation() {
        return operation;
    }

    public void setOperation(String operation) {
        this.operation = operation;
    }

    public String getProviders() {
        return providers;
    }

    public void setProviders(String providers) {
        this.providers = providers;
    }

    public String getModel() {
        return model;
    }

    public void setModel(String model) {
        this.model = model;
    }

    public String getAspectRatio() {
        return aspectRatio;
    }

    public void setAspectRatio(String aspectRatio) {
        this.aspectRatio = aspectRatio;
    }

    public String getImageSize() {
        return imageSize;
    }

    public void setImageSize(String imageSize) {
        this.imageSize = imageSize;
    }
}
