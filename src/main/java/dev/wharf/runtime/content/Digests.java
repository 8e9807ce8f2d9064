package dev.wharf.runtime.content;

import dev.wharf.runtime.api.RuntimeFailure;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** Content digests as OCI writes them: {@code sha256:} and 64 lowercase hex digits, the only algorithm Wharf accepts. */
public final class Digests {

    private static final Pattern SHA256 = Pattern.compile("sha256:[a-f0-9]{64}");

    private Digests() {
    }

    /** The digest of {@code data}. */
    public static String sha256(byte[] data) {
        return of(newSha256().digest(data));
    }

    public static boolean isValid(String digest) {
        return digest != null && SHA256.matcher(digest).matches();
    }

    /** Returns {@code digest} if it is a valid sha256 digest; INVALID_ARGUMENT otherwise. */
    public static String check(String digest) {
        if (!isValid(digest)) {
            throw RuntimeFailure.invalid("invalid digest \"" + digest + "\": expected sha256: and 64 lowercase hex digits");
        }
        return digest;
    }

    static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    static String of(byte[] sha256) {
        return "sha256:" + HexFormat.of().formatHex(sha256);
    }
}
