package io.github.geminiimagebatch.simulator;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/** Service-account JSON key files made in the test, with a freshly generated RSA key. */
final class ServiceAccountFiles {

    static final String CLIENT_EMAIL = "batch@sim-project.iam.gserviceaccount.com";

    private ServiceAccountFiles() {
    }

    static KeyPair newKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static Path write(Path file, KeyPair keys, String tokenUri) throws IOException {
        String pem = "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(keys.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
        ObjectNode account = SimClient.JSON.createObjectNode();
        account.put("type", "service_account");
        account.put("project_id", "sim-project");
        account.put("private_key_id", "0123456789abcdef");
        account.put("private_key", pem);
        account.put("client_email", CLIENT_EMAIL);
        account.put("client_id", "123456789012345678901");
        account.put("auth_uri", "https://accounts.google.com/o/oauth2/auth");
        account.put("token_uri", tokenUri);
        account.put("universe_domain", "googleapis.com");
        Files.writeString(file, account.toPrettyString());
        return file;
    }
}
