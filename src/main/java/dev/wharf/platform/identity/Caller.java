package dev.wharf.platform.identity;

/**
 * Who is making the current request, freshly read from the database. Controllers take it as
 * a parameter; services decide with it.
 *
 * @param tokenId the API token used, or {@code null} for a password or dashboard session
 * @param grant   for a caller that is no Wharf user (a job token of a trusted issuer), the one team role
 *                it holds; {@code null} for users
 */
public record Caller(long id, String name, boolean admin, String tokenId, Grant grant) {

    /** The request attribute under which the current request's caller is cached once resolved. */
    public static final String REQUEST_ATTRIBUTE = Caller.class.getName();

    /** The id of every caller that is no Wharf user: no user row has it. */
    public static final long NO_USER = -1;

    /**
     * The single team role of a JWT of a trusted issuer, and who vouched for it.
     *
     * @param role      the team role's wire name ({@code viewer}, {@code member}, {@code owner})
     * @param expiresAt when the token that vouched for it expires ({@code null}: it names no expiry)
     */
    public record Grant(String issuer, String subject, String team, String role, java.time.Instant expiresAt) {
    }

    public Caller(long id, String name, boolean admin, String tokenId) {
        this(id, name, admin, tokenId, null);
    }

    /** A caller that holds {@code grant} and nothing else. */
    public static Caller granted(String name, Grant grant) {
        return new Caller(NO_USER, name, false, null, grant);
    }

    /** Refuses (403) unless the caller is a platform admin. */
    public void requireAdmin(String what) {
        if (!admin) {
            throw dev.wharf.platform.web.WharfException.forbidden("only platform admins can " + what);
        }
    }

    /** Refuses (403) a caller that is no Wharf user (a job token) what only users have: API tokens, a password. */
    public void requireUser(String what) {
        if (grant != null) {
            throw dev.wharf.platform.web.WharfException.forbidden("a token of issuer " + grant.issuer() + " cannot " + what
                    + "; only Wharf users can");
        }
    }
}
