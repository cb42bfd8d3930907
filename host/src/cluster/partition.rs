//! Which partition a community is in, and which live host owns each
//! partition. Both are pure functions of their inputs, the same on every
//! host and every version: a community never moves unless the partition
//! count changes, and a partition moves only when the set of live hosts
//! does.

use sha2::{Digest, Sha256};

/// A stable 64-bit hash (the first 8 bytes of SHA-256): the same on every
/// platform and Rust version, unlike `std`'s hasher.
fn stable_hash(parts: &[&[u8]]) -> u64 {
    let mut h = Sha256::new();
    for part in parts {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part);
    }
    let digest = h.finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    u64::from_be_bytes(first)
}

/// The partition of `community`, in `0..partitions`.
pub fn partition_of(community: &str, partitions: u32) -> u32 {
    (stable_hash(&[community.as_bytes()]) % u64::from(partitions.max(1))) as u32
}

/// The owner of each of `partitions` among `hosts`: rendezvous hashing
/// with bounded loads. Every (partition, host) pair has a stable weight;
/// pairs are taken heaviest first, each partition going to the first host
/// that still has room, a host holding at most ⌈partitions ÷ hosts⌉. So
/// the hosts hold within one partition of each other (plain rendezvous put
/// 7 of 16 partitions on one of 5 hosts), the same set of hosts always
/// gives the same owners on every host, and a host that leaves mostly
/// moves only its own partitions; when it comes back, it gets the same
/// ones again.
pub fn owners(partitions: u32, hosts: &[String]) -> Vec<Option<&str>> {
    let mut owners: Vec<Option<&str>> = vec![None; partitions as usize];
    if hosts.is_empty() {
        return owners;
    }
    let cap = (partitions as usize).div_ceil(hosts.len());
    let mut pairs: Vec<(u64, &str, u32)> = Vec::with_capacity(partitions as usize * hosts.len());
    for p in 0..partitions {
        for host in hosts {
            let weight = stable_hash(&[&p.to_be_bytes(), host.as_bytes()]);
            pairs.push((weight, host.as_str(), p));
        }
    }
    pairs.sort_unstable_by(|a, b| b.cmp(a));
    let mut load: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for (_, host, p) in pairs {
        let slot = &mut owners[p as usize];
        let held = load.entry(host).or_insert(0);
        if slot.is_none() && *held < cap {
            *slot = Some(host);
            *held += 1;
        }
    }
    owners
}

/// A name safe in a subject token and a KV key (`[A-Za-z0-9_-]`), from
/// any text: community and connector names may hold `.`, `*`, `>`,
/// spaces or non-ASCII, which subjects cannot.
pub fn token_of(name: &str) -> String {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    hex::encode(&h.finalize()[..16])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partitions_are_stable_and_in_range() {
        // Pinned: a change here would move every community of a running
        // cluster to another partition.
        assert_eq!(partition_of("acme", 16), 13);
        assert_eq!(partition_of("acme", 64), 29);
        assert_eq!(partition_of("café.1 >*", 16), 6);
        for i in 0..1000 {
            assert!(partition_of(&format!("c{i}"), 7) < 7);
        }
        let counts = (0..1600).fold([0u32; 16], |mut c, i| {
            c[partition_of(&format!("community-{i}"), 16) as usize] += 1;
            c
        });
        assert!(counts.iter().all(|&n| n > 50), "{counts:?}");
    }

    #[test]
    fn a_leaving_host_moves_mostly_its_own_partitions() {
        let three: Vec<String> = ["a", "b", "c"].iter().map(|s| s.to_string()).collect();
        let two: Vec<String> = ["a", "b"].iter().map(|s| s.to_string()).collect();
        let (before, after) = (owners(64, &three), owners(64, &two));
        let mut per_host = std::collections::HashMap::new();
        let mut moved = 0;
        for p in 0..64 {
            let was = before[p].unwrap();
            *per_host.entry(was).or_insert(0) += 1;
            if was != "c" && after[p] != Some(was) {
                moved += 1;
            }
        }
        assert_eq!(per_host.len(), 3);
        // Bounded loads move a few others' partitions to make room.
        assert!(moved <= 8, "{moved} partitions of the staying hosts moved");
        // Coming back gives the same ones again.
        assert_eq!(owners(64, &three), before);
        assert!(owners(4, &[]).iter().all(Option::is_none));
    }

    /// The balance: no host holds more than 1.5 × the mean number
    /// of partitions, for the default partition count and clusters of 2 to
    /// 5 hosts named as people name them.
    #[test]
    fn partitions_are_balanced_within_half_the_mean() {
        let partitions = crate::cluster::config::DEFAULT_PARTITIONS;
        for names in [
            &["a", "b"][..],
            &["a", "b", "c"],
            &["host-1", "host-2", "host-3"],
            &["vigie-eu-1", "vigie-eu-2", "vigie-us-1", "vigie-us-2"],
            &["h1", "h2", "h3", "h4", "h5"],
        ] {
            let hosts: Vec<String> = names.iter().map(|s| s.to_string()).collect();
            let mut per_host = std::collections::HashMap::new();
            for owner in owners(partitions, &hosts) {
                *per_host.entry(owner.unwrap()).or_insert(0u32) += 1;
            }
            let mean = f64::from(partitions) / hosts.len() as f64;
            let most = per_host.values().copied().max().unwrap_or(0);
            assert!(
                f64::from(most) <= 1.5 * mean,
                "{names:?}: {per_host:?} (mean {mean:.1})"
            );
        }
    }
}
