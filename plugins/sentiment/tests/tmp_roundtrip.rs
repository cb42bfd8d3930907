fn rt(x: f64) -> f64 {
    serde_json::from_str(&serde_json::to_string(&x).unwrap()).unwrap()
}
#[test]
fn roundtrip() {
    let mut rng = 0x1234_5678_u64;
    let mut hist = [0u32; 10];
    let n = 3_000_000;
    for i in 0..n {
        rng = rng
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let mut x = (rng >> 11) as f64 / (1u64 << 53) as f64;
        if i % 3 == 1 {
            x *= 200.0
        } else if i % 3 == 2 {
            x *= 1e-3
        }
        let mut k = 0;
        loop {
            let y = rt(x);
            if y.to_bits() == x.to_bits() {
                break;
            }
            x = y;
            k += 1;
            if k == 9 {
                break;
            }
        }
        hist[k] += 1;
    }
    println!("steps to fixed point: {hist:?}");
}
