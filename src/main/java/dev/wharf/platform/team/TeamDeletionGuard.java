package dev.wharf.platform.team;

/**
 * Lets other features veto the deletion of a team that still owns something (containers,
 * volumes). Implementations throw a conflict {@link dev.wharf.platform.web.WharfException}
 * naming what is left.
 */
public interface TeamDeletionGuard {

    void checkDeletable(Team team);
}
