package io.github.geminiimagebatch.simulator;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/** Google's error envelope {"error":{"code","message","status","details"}} with the texts Google sends. */
final class GoogleErrors {

    static final String QUOTA_HELP_URL = "https://ai.google.dev/gemini-api/docs/rate-limits";
    static final String BARE_QUOTA_MESSAGE = "Resource has been exhausted (e.g. check quota).";
    static final String VERTEX_QUOTA_MESSAGE = "Resource exhausted. Please try again later. Please refer to "
            + "https://cloud.google.com/vertex-ai/generative-ai/docs/error-code-429 for more details.";
    static final String OVERLOADED_MESSAGE = "The model is overloaded. Please try again later.";
    static final String INTERNAL_MESSAGE = "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting";
    static final String UNREGISTERED_CALLER_MESSAGE = "Method doesn't allow unregistered callers (callers without established identity)."
            + " Please use API Key or other form of API consumer identity to call this API.";
    static final String INVALID_KEY_MESSAGE = "API key not valid. Please pass a valid API key.";
    static final String MISSING_CREDENTIALS_MESSAGE = "Request is missing required authentication credential. Expected OAuth 2 access token,"
            + " login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.";
    static final String UNAUTHENTICATED_MESSAGE = "Request had invalid authentication credentials. Expected OAuth 2 access token,"
            + " login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.";

    static final String GEMINI_SERVICE = "generativelanguage.googleapis.com";
    static final String VERTEX_SERVICE = "aiplatform.googleapis.com";

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private GoogleErrors() {
    }

    /** The Google service an endpoint belongs to, as error details name it. */
    static String service(Endpoint endpoint) {
        return endpoint.isVertex() ? VERTEX_SERVICE : GEMINI_SERVICE;
    }

    static ObjectNode error(int code, String status, String message) {
        ObjectNode root = NODES.objectNode();
        ObjectNode error = root.putObject("error");
        error.put("code", code);
        error.put("message", message);
        error.put("status", status);
        return root;
    }

    static ArrayNode details(ObjectNode envelope) {
        return ((ObjectNode) envelope.get("error")).putArray("details");
    }

    static ObjectNode invalidArgument(String message) {
        return error(400, "INVALID_ARGUMENT", message);
    }

    static ObjectNode invalidApiKey(String service) {
        ObjectNode body = error(400, "INVALID_ARGUMENT", INVALID_KEY_MESSAGE);
        ArrayNode details = details(body);
        ObjectNode info = details.addObject();
        info.put("@type", "type.googleapis.com/google.rpc.ErrorInfo");
        info.put("reason", "API_KEY_INVALID");
        info.put("domain", "googleapis.com");
        info.putObject("metadata").put("service", service);
        ObjectNode localized = details.addObject();
        localized.put("@type", "type.googleapis.com/google.rpc.LocalizedMessage");
        localized.put("locale", "en-US");
        localized.put("message", INVALID_KEY_MESSAGE);
        return body;
    }

    static ObjectNode unregisteredCaller() {
        return error(403, "PERMISSION_DENIED", UNREGISTERED_CALLER_MESSAGE);
    }

    /** Google's answer for a suspended (e.g. reported as leaked) key: the message names the key. */
    static ObjectNode suspendedKey(String apiKey, String service) {
        ObjectNode body = error(403, "PERMISSION_DENIED", "Permission denied: Consumer 'api_key:" + apiKey + "' has been suspended.");
        ObjectNode info = details(body).addObject();
        info.put("@type", "type.googleapis.com/google.rpc.ErrorInfo");
        info.put("reason", "CONSUMER_SUSPENDED");
        info.put("domain", "googleapis.com");
        ObjectNode metadata = info.putObject("metadata");
        metadata.put("consumer", "projects/000000000000");
        metadata.put("service", service);
        return body;
    }

    static ObjectNode unauthenticated(String reason) {
        String message = "CREDENTIALS_MISSING".equals(reason) ? MISSING_CREDENTIALS_MESSAGE : UNAUTHENTICATED_MESSAGE;
        ObjectNode body = error(401, "UNAUTHENTICATED", message);
        ObjectNode info = details(body).addObject();
        info.put("@type", "type.googleapis.com/google.rpc.ErrorInfo");
        info.put("reason", reason);
        info.put("domain", "googleapis.com");
        ObjectNode metadata = info.putObject("metadata");
        metadata.put("service", VERTEX_SERVICE);
        metadata.put("method", "google.cloud.aiplatform.v1.PredictionService.GenerateContent");
        return body;
    }

    /** Shape 1 of gemini-wire.md: QuotaFailure + Help + RetryInfo, every exceeded quota listed. */
    static ObjectNode quotaExceeded(String model, QuotaLedger.Admission admission) {
        StringBuilder message = new StringBuilder("You exceeded your current quota, please check your plan and billing details."
                + " For more information on this error, head to: " + QUOTA_HELP_URL + "."
                + " To monitor your current usage, head to: https://ai.dev/usage?tab=rate-limit. ");
        List<QuotaLedger.Violation> violations = admission.violations();
        for (QuotaLedger.Violation violation : violations) {
            message.append("\n* Quota exceeded for metric: ").append(violation.kind().quotaMetric())
                    .append(", limit: ").append(violation.limit()).append(", model: ").append(model);
        }
        message.append("\nPlease retry in ").append(DurationText.seconds(admission.retryDelay(), 6)).append('.');
        ObjectNode body = error(429, "RESOURCE_EXHAUSTED", message.toString());
        ArrayNode details = details(body);
        ObjectNode quotaFailure = details.addObject();
        quotaFailure.put("@type", "type.googleapis.com/google.rpc.QuotaFailure");
        ArrayNode list = quotaFailure.putArray("violations");
        for (QuotaLedger.Violation violation : violations) {
            ObjectNode item = list.addObject();
            item.put("quotaMetric", violation.kind().quotaMetric());
            item.put("quotaId", violation.kind().quotaId());
            ObjectNode dimensions = item.putObject("quotaDimensions");
            dimensions.put("location", "global");
            dimensions.put("model", model);
            item.put("quotaValue", Long.toString(violation.limit()));
        }
        ObjectNode help = details.addObject();
        help.put("@type", "type.googleapis.com/google.rpc.Help");
        ObjectNode link = help.putArray("links").addObject();
        link.put("description", "Learn more about Gemini API quotas");
        link.put("url", QUOTA_HELP_URL);
        ObjectNode retry = details.addObject();
        retry.put("@type", "type.googleapis.com/google.rpc.RetryInfo");
        retry.put("retryDelay", DurationText.seconds(admission.retryDelay(), 9));
        return body;
    }

    static ObjectNode bareQuota() {
        return error(429, "RESOURCE_EXHAUSTED", BARE_QUOTA_MESSAGE);
    }

    static ObjectNode vertexQuota() {
        return error(429, "RESOURCE_EXHAUSTED", VERTEX_QUOTA_MESSAGE);
    }

    static ObjectNode overloaded() {
        return error(503, "UNAVAILABLE", OVERLOADED_MESSAGE);
    }

    static ObjectNode internal() {
        return error(500, "INTERNAL", INTERNAL_MESSAGE);
    }

    static ObjectNode notFound(String message) {
        return error(404, "NOT_FOUND", message);
    }
}
