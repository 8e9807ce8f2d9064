/**
 * What both ends of the node protocol share ({@code docs/adr/0006-node-protocol.md}): its JSON
 * mapping, its error body and its request bodies. The node's side is {@code runtime.node}, the
 * control plane's client is {@code runtime.remote}; neither imports the other.
 */
package dev.wharf.runtime.wire;
