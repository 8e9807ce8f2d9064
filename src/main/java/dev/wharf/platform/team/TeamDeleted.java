package dev.wharf.platform.team;

/** Published inside the transaction that deletes a team (which had no containers and no volumes left). */
public record TeamDeleted(long teamId, String name) {
}
