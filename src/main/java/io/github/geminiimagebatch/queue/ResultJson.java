package io.github.geminiimagebatch.queue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.geminiimagebatch.pipeline.ItemResult;
import io.github.geminiimagebatch.pipeline.WorkItem;

import java.time.Instant;

/** An {@link ItemResult} as JSON and back (the time as ISO-8601 text). */
final class ResultJson {

    private ResultJson() {
    }

    static ObjectNode write(ItemResult r) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("status", r.status().name());
        node.put("reason", r.reason());
        node.put("message", r.message());
        node.put("image", r.image());
        node.put("provider", r.provider());
        node.put("providerType", r.providerType());
        node.put("instance", r.instance());
        node.put("costUsd", r.costUsd());
        node.put("attempts", r.attempts());
        node.put("finishedAt", r.finishedAt() == null ? null : r.finishedAt().toString());
        return node;
    }

    static ItemResult read(JsonNode node) {
        String finished = node.path("finishedAt").asText(null);
        return new ItemResult(WorkItem.Status.valueOf(node.path("status").asText()), node.path("reason").asText(null),
                node.path("message").asText(null), node.path("image").asText(null), node.path("provider").asText(null),
                node.path("providerType").asText(null), node.path("instance").asText(null),
                node.path("costUsd").asDouble(0), node.path("attempts").asInt(0),
                finished == null ? null : Instant.parse(finished));
    }
}
