//! ggml's block quantisations, byte for byte as its reference quantisers
//! (`quantize_row_q8_0_ref`, `quantize_row_q5_1_ref` in ggml-quants.c)
//! write them, so whisper.cpp reads back exactly what its own tool would
//! have written. Both work on blocks of 32 values along a row.

/// Values per block, for both types.
pub const BLOCK: usize = 32;
/// q8_0: an f16 scale, then 32 i8.
pub const Q8_0_BYTES: usize = 2 + BLOCK;
/// q5_1: an f16 scale and an f16 minimum, the 32 fifth bits as a
/// little-endian u32, then 16 bytes of low nibbles.
pub const Q5_1_BYTES: usize = 2 + 2 + 4 + BLOCK / 2;

/// One q8_0 block: the scale `d = max|x| / 127` as f16, then each value as
/// `round(x / d)` in i8.
pub fn q8_0_block(block: &[f32], out: &mut Vec<u8>) {
    let amax = block.iter().fold(0f32, |m, v| m.max(v.abs()));
    let d = amax / 127.0;
    let inverse = if d > 0.0 { 1.0 / d } else { 0.0 };
    out.extend_from_slice(&half::f16::from_f32(d).to_le_bytes());
    // |x / d| <= 127, so the cast cannot saturate.
    out.extend(block.iter().map(|&v| (v * inverse).round() as i8 as u8));
}

/// One q5_1 block: `x ≈ d * q + m` with `m` the block's minimum, `d` its
/// range over 31 and `q` in 0..=31. Value `j` and value `j + 16` share byte
/// `j` of the nibbles (low and high half); their fifth bits are bits `j`
/// and `j + 16` of the u32. `block` is 32 values.
pub fn q5_1_block(block: &[f32], out: &mut Vec<u8>) {
    debug_assert_eq!(block.len(), BLOCK);
    let (min, max) = block
        .iter()
        .fold((f32::MAX, -f32::MAX), |(lo, hi), &v| (lo.min(v), hi.max(v)));
    let d = (max - min) / 31.0;
    let inverse = if d != 0.0 { 1.0 / d } else { 0.0 };
    // As the reference: scaled from the unrounded minimum and scale, then
    // rounded half up (the value is never negative). `as u8` saturates
    // where C's cast would not, but (x - min) / d never exceeds 31.
    let q = |v: f32| ((v - min) * inverse + 0.5) as u8;
    let mut high = 0u32;
    let mut nibbles = [0u8; BLOCK / 2];
    for (j, nibble) in nibbles.iter_mut().enumerate() {
        let (low, upper) = (q(block[j]), q(block[j + BLOCK / 2]));
        *nibble = (low & 0x0f) | ((upper & 0x0f) << 4);
        high |= u32::from((low & 0x10) >> 4) << j;
        high |= u32::from((upper & 0x10) >> 4) << (j + BLOCK / 2);
    }
    out.extend_from_slice(&half::f16::from_f32(d).to_le_bytes());
    out.extend_from_slice(&half::f16::from_f32(min).to_le_bytes());
    out.extend_from_slice(&high.to_le_bytes());
    out.extend_from_slice(&nibbles);
}

/// The values a q5_1 block stands for, as ggml's `dequantize_row_q5_1`.
#[cfg(test)]
pub fn q5_1_values(block: &[u8]) -> Vec<f32> {
    let d = half::f16::from_le_bytes([block[0], block[1]]).to_f32();
    let m = half::f16::from_le_bytes([block[2], block[3]]).to_f32();
    let high = u32::from_le_bytes([block[4], block[5], block[6], block[7]]);
    let nibbles = &block[8..];
    let fifth = |bit: usize| (((high >> bit) & 1) << 4) as u8;
    let mut values = vec![0f32; BLOCK];
    for (j, &byte) in nibbles.iter().enumerate() {
        values[j] = f32::from((byte & 0x0f) | fifth(j)) * d + m;
        values[j + BLOCK / 2] = f32::from((byte >> 4) | fifth(j + BLOCK / 2)) * d + m;
    }
    values
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q5_1(values: &[f32]) -> Vec<u8> {
        let mut out = Vec::new();
        q5_1_block(values, &mut out);
        assert_eq!(out.len(), Q5_1_BYTES);
        out
    }

    #[test]
    fn a_q5_1_ramp_is_one_step_a_value() {
        // -4.0, -3.5, … 11.5: min -4, d = 15.5 / 31 = 0.5, so q[j] = j.
        let values: Vec<f32> = (0..32).map(|j| j as f32 * 0.5 - 4.0).collect();
        let mut expected = vec![
            0x00, 0x38, // d = 0.5 as f16 (0x3800)
            0x00, 0xc4, // m = -4.0 as f16 (0xc400)
            // Fifth bits: q[0..16] are below 16, q[16..32] are not.
            0x00, 0x00, 0xff, 0xff,
        ];
        // Byte j: q[j] low, q[j + 16] (= j + 16, low nibble j) high.
        expected.extend((0..16u8).map(|j| j | j << 4));
        assert_eq!(q5_1(&values), expected);
        assert_eq!(q5_1_values(&expected), values);
    }

    #[test]
    fn q5_1_fifth_bits_and_nibbles_land_where_ggml_reads_them() {
        // Zeros, one 3.875 at 3 and one -3.875 at 20: d = 7.75 / 31 = 0.25,
        // zeros are q = 16 (fifth bit only), 3.875 is 31, -3.875 is 0.
        let mut values = [0f32; 32];
        values[3] = 3.875;
        values[20] = -3.875;
        let mut expected = vec![
            0x00, 0x34, // d = 0.25 (0x3400)
            0xc0, 0xc3, // m = -3.875 (0xc3c0)
            // Every fifth bit but value 20's: 0xffefffff, little-endian.
            0xff, 0xff, 0xef, 0xff,
        ];
        let mut nibbles = [0u8; 16];
        nibbles[3] = 0x0f; // value 3 (31) low; value 19 (16) has no low bits
        expected.extend(nibbles);
        assert_eq!(q5_1(&values), expected);
        // The zeros come back half a step high, as q = 16 means 0.125.
        let mut back = [0.125f32; 32];
        back[3] = 3.875;
        back[20] = -3.875;
        assert_eq!(q5_1_values(&expected), back);
    }

    #[test]
    fn a_flat_q5_1_block_is_its_minimum() {
        let values = [1.5f32; 32];
        let mut expected = vec![0x00, 0x00, 0x00, 0x3e, 0, 0, 0, 0]; // d 0, m 1.5
        expected.extend([0u8; 16]);
        assert_eq!(q5_1(&values), expected);
        assert_eq!(q5_1_values(&expected), values);
    }

    #[test]
    fn q5_1_keeps_any_block_within_half_a_step() {
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..200 {
            let values: Vec<f32> = (0..32)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    (state % 20_001) as f32 / 10_000.0 - 1.0
                })
                .collect();
            let block = q5_1(&values);
            let d = half::f16::from_le_bytes([block[0], block[1]]).to_f32();
            // Half a step, plus what storing d and m as f16 moves a value
            // (31 steps of d's rounding, and m's).
            let bound = d / 2.0 + 32.0 * d * 1e-3 + 1e-3;
            for (back, v) in q5_1_values(&block).iter().zip(&values) {
                assert!((back - v).abs() <= bound, "{back} against {v}");
            }
        }
    }

    #[test]
    fn q8_0_scales_by_the_largest_magnitude() {
        // max |x| = 127 / 8, so d = 1/8 (0x3000) and q = 8x exactly.
        let mut values = [0f32; 32];
        values[0] = 15.875;
        values[1] = -1.0;
        values[31] = 0.125;
        let mut out = Vec::new();
        q8_0_block(&values, &mut out);
        let mut expected = vec![0x00, 0x30, 127, (-8i8) as u8];
        expected.extend([0u8; 29]);
        expected.push(1);
        assert_eq!(out, expected);
    }
}
