//! Which partition a community is in, and which live host owns a
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

/// The owner of `partition` among `hosts`: the host with the highest
/// rendezvous weight. When a host leaves, only its partitions move; when
/// it comes back, it gets the same ones again.
pub fn owner_of(partition: u32, hosts: &[String]) -> Option<&str> {
    hosts
        .iter()
        .max_by_key(|host| {
            (
                stable_hash(&[&partition.to_be_bytes(), host.as_bytes()]),
                host.as_str(),
            )
        })
        .map(String::as_str)
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
    fn rendezvous_moves_only_the_leaving_hosts_partitions() {
        let three: Vec<String> = ["a", "b", "c"].iter().map(|s| s.to_string()).collect();
        let two: Vec<String> = ["a", "b"].iter().map(|s| s.to_string()).collect();
        let mut per_host = std::collections::HashMap::new();
        for p in 0..64 {
            let before = owner_of(p, &three).unwrap();
            *per_host.entry(before).or_insert(0) += 1;
            let after = owner_of(p, &two).unwrap();
            if before != "c" {
                assert_eq!(before, after, "partition {p} moved");
            }
        }
        assert_eq!(per_host.len(), 3);
        assert!(owner_of(0, &[]).is_none());
    }
}
