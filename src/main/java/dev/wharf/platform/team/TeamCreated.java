package dev.wharf.platform.team;

/** Published inside the transaction that creates a team. */
public record TeamCreated(long teamId, String name) {
}
