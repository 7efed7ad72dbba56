package io.barrage.user.account;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.stereotype.Component;

/**
 * BCrypt over a SHA-256 digest of the password. BCrypt reads at most 72 bytes (and Spring's encoder
 * rejects longer input), while passwords may be 128 characters of any script; the base64 digest is
 * 44 ASCII bytes, so every character of a long password still counts.
 */
@Component
class Passwords {

    private final BCryptPasswordEncoder bcrypt = new BCryptPasswordEncoder(10);

    // Compared against when the user does not exist, so an unknown name costs as long as a wrong password.
    private final String decoy = bcrypt.encode(digest("decoy password, never matches"));

    String hash(String password) {
        return bcrypt.encode(digest(password));
    }

    boolean matches(String password, String hash) {
        return bcrypt.matches(digest(password), hash);
    }

    void burnTimeOfOneCheck(String password) {
        bcrypt.matches(digest(password), decoy);
    }

    private static String digest(String password) {
        try {
            byte[] sha = MessageDigest.getInstance("SHA-256").digest(password.getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(sha);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
