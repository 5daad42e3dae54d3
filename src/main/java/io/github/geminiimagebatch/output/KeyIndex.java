package io.github.geminiimagebatch.output;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;

/**
 * The request-key index: {@code .keys/<first two hex>/<key>.json} points at the stored image. It is
 * written after the image and its sidecar, so its presence means "this request is paid for and kept".
 */
public final class KeyIndex {

    /** Folder of the index under the outbox (or bucket prefix). */
    public static final String DIRECTORY = ".keys";

    private static final ObjectMapper JSON = new ObjectMapper();

    private KeyIndex() {
    }

    public static String entryName(String requestKey) {
        return DIRECTORY + "/" + requestKey.substring(0, 2) + "/" + requestKey + ".json";
    }

    public static byte[] entry(String batch, String id, String imageName) {
        ObjectNode node = JSON.createObjectNode();
        node.put("batch", batch);
        node.put("id", id);
        node.put("image", imageName);
        return node.toString().getBytes(StandardCharsets.UTF_8);
    }
}
