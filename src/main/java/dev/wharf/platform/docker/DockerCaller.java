package dev.wharf.platform.docker;

import dev.wharf.platform.identity.Caller;
import dev.wharf.platform.team.TeamRole;
import dev.wharf.platform.web.WharfException;

/**
 * Who sent a Docker API request: the user of the client certificate, in the certificate's team, with
 * the role the user holds there now (read for every request; a platform admin who is not a member
 * acts as an owner). Docker handlers take it as a parameter, like {@link Caller}, which they can take
 * too (it is {@link #caller()}) to call the services that REST uses.
 *
 * @param caller        the user, as the REST API knows them
 * @param teamId        the certificate's team
 * @param team          its name
 * @param role          the user's role in it
 * @param certificateId the certificate's id
 */
public record DockerCaller(Caller caller, long teamId, String team, TeamRole role, String certificateId) {

    /** The request attribute under which the Docker port's certificate check leaves the caller. */
    static final String REQUEST_ATTRIBUTE = DockerCaller.class.getName();

    /**
     * Refuses (403, nothing done) unless the caller's role includes {@code minimum};
     * {@code what} completes "... cannot {what}" ("create containers").
     */
    public void require(TeamRole minimum, String what) {
        if (!role.includes(minimum)) {
            throw WharfException.forbidden("you are " + (role == TeamRole.OWNER ? "an owner" : "a " + role.wire()) + " of team \""
                    + team + "\" and cannot " + what + ": that needs the " + minimum.wire() + " role or higher");
        }
    }
}
