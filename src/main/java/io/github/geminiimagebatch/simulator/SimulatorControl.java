package io.github.geminiimagebatch.simulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.util.HashSet;
import java.util.Set;

/**
 * The simulator's control surface under {@code /sim/}, which no Google API has: GET /sim/stats, GET /sim/calls,
 * POST /sim/reset and POST /sim/keys. Each is the HTTP face of a method of {@link GeminiSimulator}, so benches and
 * tests in other processes can do what a test in the same JVM does in Java. See docs/simulator.md.
 */
final class SimulatorControl {

    private final GeminiSimulator simulator;
    private final ObjectMapper json;
    private final ResponseWriter writer;

    SimulatorControl(GeminiSimulator simulator, ObjectMapper json, ResponseWriter writer) {
        this.simulator = simulator;
        this.json = json;
        this.writer = writer;
    }

    /** Answers a request whose path starts with {@code /sim/}. */
    void serve(HttpExchange exchange, String method, String path) throws IOException {
        if ("GET".equals(method) && path.equals("/sim/stats")) {
            writer.json(exchange, 200, simulator.stats());
        } else if ("GET".equals(method) && path.equals("/sim/calls")) {
            writer.json(exchange, 200, calls());
        } else if ("POST".equals(method) && path.equals("/sim/reset")) {
            HttpRequests.readBody(exchange);
            simulator.reset();
            writer.json(exchange, 200, json.createObjectNode().put("reset", true));
        } else if ("POST".equals(method) && path.equals("/sim/keys")) {
            serveKeys(exchange);
        } else {
            writer.json(exchange, 404, GoogleErrors.notFound("Use GET /sim/stats, GET /sim/calls, POST /sim/reset or POST /sim/keys."));
        }
    }

    private ObjectNode calls() {
        ObjectNode body = json.createObjectNode();
        ArrayNode list = body.putArray("calls");
        for (GenerateCall call : simulator.calls()) {
            ObjectNode node = list.addObject();
            node.put("arrived", call.arrived().toString());
            node.put("ended", call.ended().toString());
            node.put("prompt", call.prompt());
            if (call.throttled()) {
                ArrayNode refusedBy = node.putArray("refusedBy");
                call.refusedBy().forEach(refusedBy::add);
            }
        }
        return body;
    }

    private void serveKeys(HttpExchange exchange) throws IOException {
        JsonNode keys;
        try {
            keys = json.readTree(HttpRequests.readBody(exchange));
        } catch (JsonProcessingException e) {
            keys = null;
        }
        Set<String> accepted = new HashSet<>();
        if (keys != null && keys.isArray()) {
            keys.forEach(key -> accepted.add(key.isTextual() ? key.asText() : null));
        }
        if (keys == null || !keys.isArray() || accepted.contains(null)) {
            writer.json(exchange, 400, GoogleErrors.error(400, "INVALID_ARGUMENT",
                    "POST /sim/keys takes a JSON array of the API keys to accept, e.g. [\"key-1\"]; [] accepts any key."));
            return;
        }
        simulator.acceptKeys(accepted);
        writer.json(exchange, 200, json.createObjectNode().put("acceptedKeys", accepted.size()));
    }
}
