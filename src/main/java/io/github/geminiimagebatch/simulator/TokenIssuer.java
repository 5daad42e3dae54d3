package io.github.geminiimagebatch.simulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The OAuth2 side of Vertex: verifies service-account JWT-bearer grants (RS256, signed with the private
 * key of the configured service-account JSON) and issues short-lived "sim-" access tokens.
 *
 * <p>Without a service account any well-formed grant gets a token, and Vertex accepts any bearer.
 */
final class TokenIssuer {

    static final String JWT_BEARER_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer";
    static final String CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform";
    /** Google allows an assertion to live at most one hour. */
    private static final Duration MAX_ASSERTION_LIFETIME = Duration.ofHours(1);
    private static final Duration CLOCK_SKEW = Duration.ofMinutes(5);

    private final ObjectMapper json;
    private final Clock clock;
    private final Duration tokenTtl;
    private final ServiceAccount serviceAccount;
    private final Map<String, Instant> expiryByToken = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();

    TokenIssuer(ObjectMapper json, Clock clock, Duration tokenTtl, Path serviceAccountFile) throws IOException {
        this.json = json;
        this.clock = clock;
        this.tokenTtl = tokenTtl;
        this.serviceAccount = serviceAccountFile == null ? null : ServiceAccount.load(json, serviceAccountFile);
    }

    boolean requiresIssuedTokens() {
        return serviceAccount != null;
    }

    /** Outcome of a token request: an access token, or an OAuth2 error code and a description. */
    record Grant(String accessToken, long expiresInSeconds, String error, String errorDescription) {
        boolean granted() {
            return accessToken != null;
        }
    }

    /**
     * Google's auth library signs every assertion for this audience, whatever the JSON's token_uri says
     * (the token_uri only says where the assertion is posted), so one key file whose token_uri points at
     * the simulator works for the simulator and the client alike.
     */
    static final String GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token";

    /**
     * Checks a JWT-bearer grant and issues a token. The audience may be the service-account JSON's
     * token_uri, this simulator's own /token URL ({@code ownTokenUri}) or Google's token URI.
     */
    Grant grant(String grantType, String assertion, URI ownTokenUri) {
        if (!JWT_BEARER_GRANT.equals(grantType)) {
            return refusal("unsupported_grant_type", "Invalid grant_type: " + grantType);
        }
        if (assertion == null || assertion.isBlank()) {
            return refusal("invalid_request", "Missing required parameter: assertion");
        }
        String[] parts = assertion.split("\\.", -1);
        if (parts.length != 3) {
            return refusal("invalid_grant", "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.");
        }
        JsonNode header;
        JsonNode claims;
        try {
            header = json.readTree(Base64.getUrlDecoder().decode(parts[0]));
            claims = json.readTree(Base64.getUrlDecoder().decode(parts[1]));
        } catch (IOException | IllegalArgumentException e) {
            return refusal("invalid_grant", "Invalid JWT: the header or claims are not base64url JSON.");
        }
        if (!"RS256".equals(header.path("alg").asText())) {
            return refusal("invalid_grant", "Invalid JWT: only RS256 signatures are accepted.");
        }
        if (serviceAccount != null) {
            if (!serviceAccount.verifies(parts[0] + "." + parts[1], parts[2])) {
                return refusal("invalid_grant", "Invalid JWT Signature.");
            }
            if (!serviceAccount.clientEmail.equals(claims.path("iss").asText())) {
                return refusal("invalid_grant", "Invalid JWT: iss is not the service account's client_email.");
            }
            String audience = claims.path("aud").asText();
            if (!audience.equals(serviceAccount.tokenUri) && !audience.equals(ownTokenUri.toString())
                    && !audience.equals(GOOGLE_TOKEN_URI)) {
                return refusal("invalid_grant", "Invalid JWT: aud must be the token URI.");
            }
        }
        Instant now = clock.instant();
        Instant expiresAt = Instant.ofEpochSecond(claims.path("exp").asLong(0));
        Instant issuedAt = Instant.ofEpochSecond(claims.path("iat").asLong(0));
        if (!expiresAt.isAfter(now.minus(CLOCK_SKEW)) || issuedAt.isAfter(now.plus(CLOCK_SKEW))
                || Duration.between(issuedAt, expiresAt).compareTo(MAX_ASSERTION_LIFETIME) > 0) {
            return refusal("invalid_grant", "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. "
                    + "Check your iat and exp values in the JWT claim.");
        }
        String scope = claims.path("scope").asText("");
        if (!scope.contains(CLOUD_PLATFORM_SCOPE)) {
            return refusal("invalid_scope", "Vertex AI needs the scope " + CLOUD_PLATFORM_SCOPE + "; the grant asked for '" + scope + "'.");
        }
        return issue(now);
    }

    private Grant issue(Instant now) {
        expiryByToken.values().removeIf(expiry -> !expiry.isAfter(now));
        byte[] secret = new byte[24];
        random.nextBytes(secret);
        String token = "sim-" + HexFormat.of().formatHex(secret);
        expiryByToken.put(token, now.plus(tokenTtl));
        return new Grant(token, tokenTtl.toSeconds(), null, null);
    }

    /** Empty when the bearer token is acceptable; otherwise why not, in Google's words. */
    Optional<String> rejectBearer(String token) {
        if (serviceAccount == null) {
            return Optional.empty();
        }
        Instant expiry = expiryByToken.get(token);
        if (expiry == null) {
            return Optional.of("ACCESS_TOKEN_TYPE_UNSUPPORTED");
        }
        if (!expiry.isAfter(clock.instant())) {
            expiryByToken.remove(token);
            return Optional.of("ACCESS_TOKEN_EXPIRED");
        }
        return Optional.empty();
    }

    private static Grant refusal(String error, String description) {
        return new Grant(null, 0, error, description);
    }

    /** The parts of a service-account JSON the token endpoint needs; the private key is reduced to its public half. */
    private record ServiceAccount(String clientEmail, String tokenUri, PublicKey publicKey) {

        static ServiceAccount load(ObjectMapper json, Path file) throws IOException {
            JsonNode account;
            try {
                account = json.readTree(Files.readString(file, StandardCharsets.UTF_8));
            } catch (JsonProcessingException e) {
                // Jackson's message quotes the offending token, which may be key material: name the place only.
                throw new IOException("The service-account file " + file + " is not valid JSON (line " + e.getLocation().getLineNr()
                        + ", column " + e.getLocation().getColumnNr() + "); download the key file again from Google Cloud");
            } catch (IOException e) {
                throw new IOException("Cannot read the service-account file " + file + " (" + e.getClass().getSimpleName() + ")", e);
            }
            String email = account.path("client_email").asText("");
            String pem = account.path("private_key").asText("");
            if (email.isEmpty() || pem.isEmpty()) {
                throw new IOException("The service-account file " + file + " has no client_email or private_key;"
                        + " use the JSON key file downloaded from Google Cloud (type service_account).");
            }
            try {
                String base64 = pem.replaceAll("-----(BEGIN|END) PRIVATE KEY-----", "").replaceAll("\\s", "");
                KeyFactory rsa = KeyFactory.getInstance("RSA");
                RSAPrivateCrtKey privateKey = (RSAPrivateCrtKey) rsa.generatePrivate(
                        new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
                PublicKey publicKey = rsa.generatePublic(new RSAPublicKeySpec(privateKey.getModulus(), privateKey.getPublicExponent()));
                return new ServiceAccount(email, account.path("token_uri").asText(""), publicKey);
            } catch (GeneralSecurityException | IllegalArgumentException | ClassCastException e) {
                throw new IOException("The private_key in the service-account file " + file
                        + " is not a PKCS#8 RSA key in PEM form (-----BEGIN PRIVATE KEY-----)", e);
            }
        }

        boolean verifies(String signedContent, String base64UrlSignature) {
            try {
                Signature verifier = Signature.getInstance("SHA256withRSA");
                verifier.initVerify(publicKey);
                verifier.update(signedContent.getBytes(StandardCharsets.US_ASCII));
                return verifier.verify(Base64.getUrlDecoder().decode(base64UrlSignature));
            } catch (GeneralSecurityException | IllegalArgumentException e) {
                return false;
            }
        }

        @Override
        public String toString() {
            return "ServiceAccount[" + clientEmail + "]";
        }
    }
}
