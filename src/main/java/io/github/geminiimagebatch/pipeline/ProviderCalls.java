package io.github.geminiimagebatch.pipeline;

import io.github.geminiimagebatch.config.ProviderType;
import io.github.geminiimagebatch.gemini.DecodedResponse;
import io.github.geminiimagebatch.gemini.Dialect;
import io.github.geminiimagebatch.gemini.RequestBodies;
import io.github.geminiimagebatch.gemini.ResponseDecoder;
import io.github.geminiimagebatch.provider.Permit;
import io.github.geminiimagebatch.provider.ProviderGateway;
import io.github.geminiimagebatch.provider.ProviderRuntime;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The request steps of the provider route templates (routes/provider-*.camel.yaml): builds the body
 * and adds the provider's credentials as a header (never in the URL); and the shared provider-call
 * route's last step, which decodes the streamed answer into a temporary image file.
 */
public final class ProviderCalls {

    private final ProviderGateway gateway;
    private final Path tempDir;

    public ProviderCalls(ProviderGateway gateway, Path tempDir) {
        this.gateway = gateway;
        this.tempDir = tempDir;
    }

    public void geminiRequest(Exchange exchange) throws IOException {
        WorkItem item = ItemExchange.item(exchange);
        Message message = exchange.getMessage();
        message.setBody(RequestBodies.gemini(item.getRequest()));
        message.setHeader(Exchange.CONTENT_TYPE, "application/json; charset=utf-8");
        ItemExchange.dialect(exchange, Dialect.GEMINI);
    }

    public void openRouterRequest(Exchange exchange) throws IOException {
        WorkItem item = ItemExchange.item(exchange);
        Message message = exchange.getMessage();
        message.setBody(RequestBodies.openRouter(item.getRequest(), item.getWireModel()));
        message.setHeader(Exchange.CONTENT_TYPE, "application/json; charset=utf-8");
        ItemExchange.dialect(exchange, Dialect.OPENROUTER);
    }

    /**
     * The request leaves now: the quota counts it from this moment, as the server does. The
     * provider-calls route configuration calls this just before every HTTP call of a provider route.
     */
    public void sending(Exchange exchange) {
        Permit permit = ItemExchange.permit(exchange);
        if (permit != null) {
            permit.sending();
        }
    }

    /** Adds the credentials the provider's type calls for: API-key header, OAuth2 bearer token or OpenRouter key. */
    public void authenticate(Exchange exchange) throws IOException {
        ProviderRuntime provider = provider(exchange);
        var settings = provider.settings();
        Message message = exchange.getMessage();
        if (settings.type() == ProviderType.OPENROUTER) {
            message.setHeader("Authorization", "Bearer " + settings.apiKey());
        } else if (settings.type() == ProviderType.VERTEX && !settings.vertexExpressMode()) {
            ItemExchange.permit(exchange).credentialsGeneration(provider.credentialsGeneration());
            message.setHeader("Authorization", "Bearer " + provider.bearerToken());
        } else if (settings.apiKey() != null) {
            message.setHeader(settings.type() == ProviderType.GATEWAY ? settings.authHeader() : "x-goog-api-key",
                    settings.apiKey());
        }
    }

    /** The Vertex project for the URL: configured, else taken from the service account. */
    public String vertexProject(Exchange exchange) throws IOException {
        return provider(exchange).vertexProject();
    }

    /**
     * Reads the provider's answer in the dialect of the request the template built. Called by the
     * shared provider-call route after every template; a template written for the earlier contract
     * ends with its own decode step, and its {@link DecodedResponse} passes through unchanged.
     */
    public DecodedResponse decode(Exchange exchange) throws IOException {
        Object body = exchange.getMessage().getBody();
        if (body instanceof DecodedResponse decoded) {
            return decoded;
        }
        return ItemExchange.dialect(exchange) == Dialect.OPENROUTER ? decodeOpenRouter(exchange) : decodeGemini(exchange);
    }

    public DecodedResponse decodeGemini(Exchange exchange) throws IOException {
        try (InputStream body = exchange.getMessage().getBody(InputStream.class)) {
            return ResponseDecoder.gemini(body, tempDir());
        } catch (IOException e) {
            throw localFailureOr(e);
        }
    }

    public DecodedResponse decodeOpenRouter(Exchange exchange) throws IOException {
        try (InputStream body = exchange.getMessage().getBody(InputStream.class)) {
            return ResponseDecoder.openRouter(body, tempDir());
        } catch (IOException e) {
            throw localFailureOr(e);
        }
    }

    private Path tempDir() throws IOException {
        return Files.createDirectories(tempDir);
    }

    /**
     * Reading the answer and writing the image to the temporary folder fail with the same exception
     * type. A small test write tells them apart: when it fails too, the problem is ours (disk full,
     * folder gone) and retrying the provider would only buy more images that cannot be kept.
     */
    IOException localFailureOr(IOException failure) {
        try {
            Path probe = Files.createTempFile(tempDir(), "probe-", ".tmp");
            try {
                Files.write(probe, new byte[4096]);
            } finally {
                Files.deleteIfExists(probe);
            }
            return failure;
        } catch (IOException local) {
            return new OutputUnavailableException("cannot write the answer to " + tempDir + ": "
                    + Ledger.describe(local), failure);
        }
    }

    private ProviderRuntime provider(Exchange exchange) {
        String name = ItemExchange.item(exchange).getProvider();
        return gateway.provider(name).orElseThrow(() -> new IllegalStateException("no provider named " + name));
    }

}
