/**
 * OCI bundles: the runtime spec ({@code config.json}) of a container with Wharf's security
 * defaults, built by {@link dev.wharf.runtime.bundle.OciSpecBuilder}.
 *
 * <h2>Seccomp profile</h2>
 * {@code seccomp-amd64.json} and {@code seccomp-arm64.json} (resources of this package) are
 * Docker's default profile, {@code profiles/seccomp/default.json} of the moby/moby repository at
 * commit {@code 00f3d189e420d485e42d15fe494f96d272284e0e}, converted once with a small script
 * the way Docker itself resolves it at container start ({@code profiles/seccomp/seccomp_linux.go})
 * for a container that holds exactly {@link dev.wharf.runtime.bundle.OciSpecBuilder#CAPABILITIES}:
 * <ul>
 * <li>{@code architectures}: the {@code archMap} entry of the native architecture and its
 *     sub-architectures ({@code SCMP_ARCH_X86_64, SCMP_ARCH_X86, SCMP_ARCH_X32};
 *     {@code SCMP_ARCH_AARCH64, SCMP_ARCH_ARM}); {@code defaultAction} and
 *     {@code defaultErrnoRet} (1, EPERM) as they are.</li>
 * <li>A rule is kept when its {@code excludes.arches} does not name the Go architecture
 *     ({@code amd64} or {@code arm64}), its {@code includes.arches} (if any) does, none of its
 *     {@code excludes.caps} is among the 14 and all of its {@code includes.caps} are. So the
 *     {@code CAP_SYS_ADMIN} rule (mount, umount2, unshare, setns, bpf, ...) is dropped, while the
 *     masked {@code clone} rule and {@code clone3 -> ENOSYS (38)} are kept; of the other
 *     capability rules only {@code chroot} ({@code CAP_SYS_CHROOT}) stays.</li>
 * <li>The one {@code includes.minKernel} (4.8, for ptrace, process_vm_readv and
 *     process_vm_writev) is taken as met: every kernel Wharf runs on is newer.</li>
 * <li>Kept rules carry over {@code names}, {@code action}, {@code errnoRet} and {@code args}
 *     unchanged, in the upstream order; {@code comment}, {@code includes} and {@code excludes}
 *     are dropped.</li>
 * </ul>
 * To follow a newer Docker profile, apply the same rules to it and replace both files.
 */
package dev.wharf.runtime.bundle;
