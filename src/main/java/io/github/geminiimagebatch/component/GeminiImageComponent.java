package io.github.geminiimagebatch.component;

import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.spi.annotations.Component;
import org.apache.camel.support.DefaultComponent;

import java.util.Map;
import java.util.ServiceLoader;

/**
 * Camel component {@code gemini-image}: {@code gemini-image:generate[?providers=&model=&aspectRatio=&imageSize=]}
 * turns a prompt into an image. Every endpoint of one CamelContext shares one {@link GeminiImageEngine},
 * configured from the {@code imagegen.*} properties of the context's property placeholders (an estate's
 * own application.properties) the first time a message needs it, unless one was set (the bundle does).
 */
@Component("gemini-image")
public class GeminiImageComponent extends DefaultComponent {

    private GeminiImageEngine engine;

    public GeminiImageComponent() {
    }

    public GeminiImageComponent(GeminiImageEngine engine) {
        this.engine = engine;
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        if (!"generate".equals(remaining)) {
            throw new IllegalArgumentException("Unknown gemini-image operation '" + remaining
                    + "' in " + uri + ". Write gemini-image:generate.");
        }
        GeminiImageEndpoint endpoint = new GeminiImageEndpoint(uri, this);
        setProperties(endpoint, parameters);
        return endpoint;
    }

    /** The shared engine, made from the context's imagegen.* properties on first use. */
    synchronized GeminiImageEngine engine() throws Exception {
        if (engine == null) {
            engine = ServiceLoader.load(EngineFactory.class, getClass().getClassLoader()).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no gemini-image engine factory on the classpath"))
                    .create(getCamelContext());
        }
        return engine;
    }

    /** Makes the engine of a CamelContext from its properties: the composition root of an estate. */
    public interface EngineFactory {
        GeminiImageEngine create(CamelContext context) throws Exception;
    }
}
