package dev.wharf.platform.identity;

/**
 * Who is making the current request, freshly read from the database. Controllers take it as
 * a parameter; services decide with it.
 *
 * @param tokenId the API token used, or {@code null} for a password or dashboard session
 */
public record Caller(long id, String name, boolean admin, String tokenId) {

    /** The request attribute under which the current request's caller is cached once resolved. */
    public static final String REQUEST_ATTRIBUTE = Caller.class.getName();

    /** Refuses (403) unless the caller is a platform admin. */
    public void requireAdmin(String what) {
        if (!admin) {
            throw dev.wharf.platform.web.WharfException.forbidden("only platform admins can " + what);
        }
    }
}
