package io.github.geminiimagebatch.simulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.github.geminiimagebatch.model.ModelCatalog;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A loopback HTTP server that answers like Google's Gemini image models: AI Studio (interactive and Batch API),
 * Vertex AI (with its OAuth2 token endpoint and express mode) and OpenRouter, with Google's quotas, error
 * bodies, faults and real images of the documented sizes. See docs/simulator.md.
 *
 * <p>This class routes, authenticates and validates; {@link GenerateService} answers a valid generate call (faults,
 * quota, latency, image), {@link BatchService} the Batch and Files APIs, and {@link SimulatorControl} the
 * simulator's own {@code /sim/} surface (stats, calls, reset, keys), the HTTP face of the public methods here.
 */
public final class GeminiSimulator implements AutoCloseable {

    private static final Pattern AI_STUDIO_PATH = Pattern.compile("/(v1beta|v1alpha|v1)/models/([^/:]+):generateContent");
    private static final Pattern VERTEX_PATH = Pattern.compile(
            "/(v1|v1beta1)/projects/([^/]+)/locations/([^/]+)/publishers/google/models/([^/:]+):generateContent");
    private static final Pattern EXPRESS_PATH = Pattern.compile("/(v1|v1beta1)/publishers/google/models/([^/:]+):generateContent");
    private static final String OPENROUTER_PATH = "/api/v1/chat/completions";
    private static final System.Logger LOG = System.getLogger(GeminiSimulator.class.getName());

    static {
        // Without TCP_NODELAY the JDK server's separate header and body writes meet the client's delayed
        // ACK and every small answer waits ~40 ms. The property is read once, when the server classes load.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private final SimulatorOptions options;
    private final HttpServer server;
    private final ThreadPoolExecutor executor;
    private final ObjectMapper json = new ObjectMapper();
    private final QuotaLedger ledger;
    private final FaultPlan faults;
    private final TokenIssuer tokens;
    private final SimulatorStats stats;
    private final Instant startedAt;
    private final ResponseWriter writer;
    private final AnswerBodies answers;
    private final BatchService batches;
    private final SimulatorControl control;
    private final CountDownLatch stopping = new CountDownLatch(1);
    private final AtomicInteger inFlight = new AtomicInteger();
    private final GenerateService generation;
    private final URI baseUri;
    private volatile Set<String> acceptedKeys;

    private GeminiSimulator(SimulatorOptions options) throws IOException {
        this.options = options;
        this.acceptedKeys = Set.copyOf(options.acceptedKeys());
        this.startedAt = options.clock().instant();
        this.stats = new SimulatorStats(() -> sinceStart().toSeconds());
        this.ledger = new QuotaLedger(options.quotaLimits(), options.clock());
        this.faults = new FaultPlan(options.faultRates(), options.seed());
        this.tokens = new TokenIssuer(json, options.clock(), options.tokenTtl(), options.serviceAccountFile());
        this.writer = new ResponseWriter(json, new ImageRenderer(), stats);
        this.answers = new AnswerBodies(options);
        this.batches = new BatchService(options, json, writer, answers, faults, exchange -> keyFailure(Endpoint.AI_STUDIO, HttpRequests.apiKey(exchange)));
        this.control = new SimulatorControl(this, json, writer);
        this.generation = new GenerateService(options, stats, ledger, faults, writer, answers, this::sinceStart, inFlight::get, stopping);
        AtomicInteger threadNumber = new AtomicInteger();
        // One thread per request in flight, however many: stalled and slow answers hold theirs, and a bounded pool
        // would make the JDK server refuse connections instead of answering like Google.
        this.executor = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), runnable -> {
            Thread thread = new Thread(runnable, "gemini-simulator-" + threadNumber.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        try {
            this.server = HttpServer.create(new InetSocketAddress(options.bindAddress(), options.port()), 128);
        } catch (BindException e) {
            throw new BindException("Cannot listen on " + options.bindAddress() + ":" + options.port() + " (" + e.getMessage()
                    + "); choose another port, or port 0 for any free one");
        }
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
        String host = server.getAddress().getAddress().getHostAddress();
        this.baseUri = URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + server.getAddress().getPort());
    }

    /** Starts a simulator; it listens until {@link #close()}. */
    public static GeminiSimulator start(SimulatorOptions options) throws IOException {
        return new GeminiSimulator(options);
    }

    /** Where the simulator listens, e.g. http://127.0.0.1:43121 (no trailing slash). */
    public URI baseUri() {
        return baseUri;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public SimulatorOptions options() {
        return options;
    }

    /** The same JSON as GET /sim/stats. */
    public ObjectNode stats() {
        ObjectNode root = stats.toJson(ledger.snapshot(), inFlight.get());
        batches.addStats(root);
        return root;
    }

    /**
     * From now on only these API keys are valid (empty: any key), like POST /sim/keys: a key that was
     * refused can start to work, as when a project's API is switched on or a suspended key is restored.
     */
    public void acceptKeys(Set<String> keys) {
        this.acceptedKeys = Set.copyOf(keys);
    }

    /** Clears all counters, quota windows and "fail N times" marker budgets, like POST /sim/reset. */
    public void reset() {
        stats.reset();
        generation.clearCalls();
        ledger.reset();
        faults.reset();
        batches.reset();
    }

    /**
     * The generate calls so far (since the start or the last {@link #reset()}), in the order they ended;
     * the first {@value GenerateService#CALLS_KEPT} only.
     */
    public List<GenerateCall> calls() {
        return generation.calls();
    }

    /** Stops listening and ends stalled and sleeping requests at once. */
    @Override
    public void close() {
        stopping.countDown();
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange exchange) {
        inFlight.incrementAndGet();
        try {
            route(exchange);
        } catch (IOException clientGone) {
            // The client closed the connection or timed out: nothing left to answer.
        } catch (RuntimeException bug) {
            LOG.log(System.Logger.Level.WARNING, "Simulator failed to answer " + exchange.getRequestMethod() + " "
                    + exchange.getRequestURI().getPath() + "; answering 500", bug);
            try {
                writer.json(exchange, 500, GoogleErrors.internal());
            } catch (IOException ignored) {
                // Headers were already sent; closing the exchange below ends the answer.
            }
        } finally {
            inFlight.decrementAndGet();
            exchange.close();
        }
    }

    private void route(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String method = exchange.getRequestMethod();
        if (path.startsWith("/sim/")) {
            stats.endpointRequest(Endpoint.SIM);
            control.serve(exchange, method, path);
            return;
        }
        Optional<Endpoint> batchEndpoint = BatchService.endpointFor(path);
        if (batchEndpoint.isPresent()) {
            stats.endpointRequest(batchEndpoint.get());
            batches.serve(exchange, method, path, baseUri);
            return;
        }
        if (!"POST".equals(method)) {
            stats.endpointRequest(Endpoint.UNKNOWN);
            writer.json(exchange, 404, GoogleErrors.notFound("Method " + method + " is not served at " + path
                    + "; generate calls are POST requests."));
            return;
        }
        if (path.equals("/token")) {
            stats.endpointRequest(Endpoint.TOKEN);
            serveToken(exchange);
            return;
        }
        if (path.equals(OPENROUTER_PATH)) {
            stats.endpointRequest(Endpoint.OPENROUTER);
            serveOpenRouter(exchange);
            return;
        }
        Matcher vertex = VERTEX_PATH.matcher(path);
        if (vertex.matches()) {
            stats.endpointRequest(Endpoint.VERTEX);
            String resource = "projects/" + vertex.group(2) + "/locations/" + vertex.group(3) + "/publishers/google/models/" + vertex.group(4);
            serveGemini(exchange, Endpoint.VERTEX, vertex.group(1), vertex.group(4), resource);
            return;
        }
        Matcher express = EXPRESS_PATH.matcher(path);
        if (express.matches()) {
            stats.endpointRequest(Endpoint.VERTEX_EXPRESS);
            serveGemini(exchange, Endpoint.VERTEX_EXPRESS, express.group(1), express.group(2), "publishers/google/models/" + express.group(2));
            return;
        }
        Matcher aiStudio = AI_STUDIO_PATH.matcher(path);
        if (aiStudio.matches()) {
            stats.endpointRequest(Endpoint.AI_STUDIO);
            serveGemini(exchange, Endpoint.AI_STUDIO, aiStudio.group(1), aiStudio.group(2), "models/" + aiStudio.group(2));
            return;
        }
        stats.endpointRequest(Endpoint.UNKNOWN);
        writer.json(exchange, 404, GoogleErrors.notFound("The simulator serves no method at " + path
                + ". Paths: /v1beta/models/{model}:generateContent, /v1/projects/{p}/locations/{l}/publishers/google/models/{m}:generateContent,"
                + " /v1/publishers/google/models/{m}:generateContent, /api/v1/chat/completions, /token, /sim/stats, /sim/calls, /sim/reset,"
                + " /v1beta/models/{model}:batchGenerateContent, /v1beta/batches[/{id}[:cancel]], /upload/v1beta/files,"
                + " /download/v1beta/files/{id}:download."));
    }

    private void serveToken(HttpExchange exchange) throws IOException {
        Map<String, String> form = HttpRequests.formFields(new String(HttpRequests.readBody(exchange), StandardCharsets.UTF_8));
        TokenIssuer.Grant grant = tokens.grant(form.get("grant_type"), form.get("assertion"), baseUri.resolve("/token"));
        ObjectNode body = json.createObjectNode();
        if (!grant.granted()) {
            body.put("error", grant.error());
            body.put("error_description", grant.errorDescription());
            writer.json(exchange, 400, body);
            return;
        }
        stats.tokenIssued();
        body.put("access_token", grant.accessToken());
        body.put("expires_in", grant.expiresInSeconds());
        body.put("token_type", "Bearer");
        writer.json(exchange, 200, body);
    }

    private void serveGemini(HttpExchange exchange, Endpoint endpoint, String version, String pathModel, String resource) throws IOException {
        byte[] rawBody = HttpRequests.readBody(exchange);
        String apiKey = HttpRequests.apiKey(exchange);
        Optional<ObjectNode> authFailure = endpoint == Endpoint.VERTEX ? vertexAuthFailure(exchange) : keyFailure(endpoint, apiKey);
        if (authFailure.isPresent()) {
            generation.sendError(exchange, endpoint, authFailure.get());
            return;
        }
        JsonNode body;
        try {
            body = json.readTree(rawBody);
        } catch (JsonProcessingException e) {
            generation.sendError(exchange, endpoint, GoogleErrors.invalidArgument("Invalid JSON payload received. Unexpected token at line "
                    + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + "."));
            return;
        }
        if (body == null || !body.isObject()) {
            generation.sendError(exchange, endpoint, GoogleErrors.invalidArgument("Invalid JSON payload received. Expected an object."));
            return;
        }
        if (!options.models().contains(ModelCatalog.normalise(pathModel))) {
            String message = endpoint.isVertex()
                    ? "Publisher Model `" + resource + "` was not found or your project does not have access to it."
                      + " Please ensure you are using a valid model version. For more information, see:"
                      + " https://cloud.google.com/vertex-ai/generative-ai/docs/learn/model-versions"
                    : "models/" + pathModel + " is not found for API version " + version + ", or is not supported for generateContent."
                      + " Call ListModels to see the list of available models and their supported methods.";
            generation.sendError(exchange, endpoint, GoogleErrors.notFound(message));
            return;
        }
        if ("v1".equals(version) && endpoint == Endpoint.AI_STUDIO && body.path("generationConfig").has("imageConfig")) {
            generation.sendError(exchange, endpoint, GoogleErrors.invalidArgument(
                    "Invalid JSON payload received. Unknown name \"imageConfig\" at 'generation_config': Cannot find field."));
            return;
        }
        GenerationRequest request;
        try {
            request = GenerationRequest.fromGemini(body, pathModel);
        } catch (GenerationRequest.Rejection rejection) {
            generation.sendError(exchange, endpoint, GoogleErrors.error(rejection.httpStatus, rejection.status, rejection.getMessage()));
            return;
        }
        generation.generate(exchange, endpoint, request, apiKey, resource);
    }

    private void serveOpenRouter(HttpExchange exchange) throws IOException {
        byte[] rawBody = HttpRequests.readBody(exchange);
        String key = HttpRequests.bearer(exchange);
        if (key == null) {
            writer.json(exchange, 401, answers.openRouterError(401, "No auth credentials found", null));
            return;
        }
        if (!acceptedKeys.isEmpty() && !acceptedKeys.contains(key)) {
            writer.json(exchange, 401, answers.openRouterError(401, "User not found.", null));
            return;
        }
        GenerationRequest request;
        try {
            request = GenerationRequest.fromOpenRouter(json.readTree(rawBody), options.models());
        } catch (JsonProcessingException e) {
            writer.json(exchange, 400, answers.openRouterError(400, "Invalid JSON in request body", null));
            return;
        } catch (GenerationRequest.Rejection rejection) {
            writer.json(exchange, rejection.httpStatus, answers.openRouterError(rejection.httpStatus, rejection.getMessage(), null));
            return;
        }
        generation.generate(exchange, Endpoint.OPENROUTER, request, key, "models/" + request.model());
    }

    private Optional<ObjectNode> keyFailure(Endpoint endpoint, String apiKey) {
        if (apiKey == null || apiKey.isEmpty()) {
            return Optional.of(endpoint.isVertex() ? GoogleErrors.unauthenticated("CREDENTIALS_MISSING") : GoogleErrors.unregisteredCaller());
        }
        if (!acceptedKeys.isEmpty() && !acceptedKeys.contains(apiKey)) {
            return Optional.of(GoogleErrors.invalidApiKey(GoogleErrors.service(endpoint)));
        }
        return Optional.empty();
    }

    private Optional<ObjectNode> vertexAuthFailure(HttpExchange exchange) {
        String token = HttpRequests.bearer(exchange);
        if (token == null) {
            return Optional.of(GoogleErrors.unauthenticated("CREDENTIALS_MISSING"));
        }
        return tokens.rejectBearer(token).map(GoogleErrors::unauthenticated);
    }

    private Duration sinceStart() {
        return Duration.between(startedAt, options.clock().instant());
    }

    @Override
    public String toString() {
        return "GeminiSimulator[" + baseUri + "]";
    }
}
