package dev.wharf.platform.web;

/** The naming rule of docs/api.md for users, teams, projects, containers and volumes. */
public final class Names {

    public static final String DNS_LABEL = "^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$";
    public static final String DNS_LABEL_RULE =
            "must be a DNS label: 1-63 lowercase letters, digits or '-', starting and ending with a letter or digit";

    private Names() {
    }

    public static boolean isDnsLabel(String name) {
        return name != null && name.matches(DNS_LABEL);
    }

    /** Throws an invalid-argument problem naming {@code field} unless {@code name} follows the rule. */
    public static String requireDnsLabel(String field, String name) {
        if (!isDnsLabel(name)) {
            throw WharfException.invalidField(field, field + " " + DNS_LABEL_RULE);
        }
        return name;
    }
}
