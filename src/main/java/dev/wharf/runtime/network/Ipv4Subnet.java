package dev.wharf.runtime.network;

import dev.wharf.runtime.api.RuntimeFailure;

/** An IPv4 network in CIDR form, e.g. {@code 10.89.0.0/16}. */
record Ipv4Subnet(int base, int prefix) {

    Ipv4Subnet {
        if (prefix < 8 || prefix > 30) {
            throw RuntimeFailure.invalid("a subnet prefix must be between /8 and /30, got /" + prefix);
        }
        base = base & mask(prefix);
    }

    static Ipv4Subnet parse(String cidr) {
        String[] parts = cidr.strip().split("/");
        if (parts.length != 2) {
            throw RuntimeFailure.invalid("not a CIDR subnet: " + cidr);
        }
        try {
            return new Ipv4Subnet(address(parts[0]), Integer.parseInt(parts[1]));
        } catch (NumberFormatException e) {
            throw RuntimeFailure.invalid("not a CIDR subnet: " + cidr);
        }
    }

    static int address(String dotted) {
        String[] octets = dotted.split("\\.");
        if (octets.length != 4) {
            throw RuntimeFailure.invalid("not an IPv4 address: " + dotted);
        }
        int value = 0;
        for (String octet : octets) {
            int n = Integer.parseInt(octet);
            if (n < 0 || n > 255) {
                throw RuntimeFailure.invalid("not an IPv4 address: " + dotted);
            }
            value = (value << 8) | n;
        }
        return value;
    }

    static String format(int address) {
        return ((address >>> 24) & 255) + "." + ((address >>> 16) & 255) + "." + ((address >>> 8) & 255) + "." + (address & 255);
    }

    private static int mask(int prefix) {
        return prefix == 0 ? 0 : -1 << (32 - prefix);
    }

    /** How many subnets of {@code childPrefix} this one holds. */
    int count(int childPrefix) {
        if (childPrefix < prefix) {
            throw RuntimeFailure.invalid("a team subnet /" + childPrefix + " does not fit in the pool " + this);
        }
        return 1 << Math.min(30, childPrefix - prefix);
    }

    /** The {@code index}-th subnet of {@code childPrefix} inside this one. */
    Ipv4Subnet child(int childPrefix, int index) {
        return new Ipv4Subnet(base + (index << (32 - childPrefix)), childPrefix);
    }

    /** The first usable address: the bridge's own, the containers' gateway. */
    String gateway() {
        return format(base + 1);
    }

    boolean overlaps(Ipv4Subnet other) {
        int shorter = Math.min(prefix, other.prefix);
        return (base & mask(shorter)) == (other.base & mask(shorter));
    }

    @Override
    public String toString() {
        return format(base) + "/" + prefix;
    }
}
