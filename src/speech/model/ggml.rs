//! Writing whisper.cpp's ggml model file.
//!
//! Layout (little-endian i32 throughout): magic `ggml`; eleven hparams; the
//! mel filterbank (n_mel, n_fft, then n_mel × n_fft f32); the vocabulary
//! (count, then per token its length and bytes); then tensors until EOF:
//! n_dims, name length, type (0 f32, 1 f16), the dims innermost first, the
//! name, the data.

use std::io::Write;

use super::ModelError;

pub const MAGIC: u32 = 0x6767_6d6c;
/// ggml tensor types used here.
pub const TYPE_F32: i32 = 0;
pub const TYPE_F16: i32 = 1;

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
    /// 1: large tensors are f16 (the only kind written here).
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
    pub f16: bool,
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
        let mut head = Vec::new();
        head.extend_from_slice(&i32_of(t.shape.len(), "rank")?.to_le_bytes());
        head.extend_from_slice(&i32_of(t.name.len(), "name length")?.to_le_bytes());
        let kind = if t.f16 { TYPE_F16 } else { TYPE_F32 };
        head.extend_from_slice(&kind.to_le_bytes());
        for &d in t.shape.iter().rev() {
            head.extend_from_slice(&i32_of(d, "dimension")?.to_le_bytes());
        }
        head.extend_from_slice(t.name.as_bytes());
        self.out.write_all(&head)?;
        let mut data = Vec::with_capacity(t.data.len() * if t.f16 { 2 } else { 4 });
        for &v in &t.data {
            if t.f16 {
                data.extend_from_slice(&half::f16::from_f32(v).to_le_bytes());
            } else {
                data.extend_from_slice(&v.to_le_bytes());
            }
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
            f16: true,
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
}
