//! Reading a CTranslate2 `model.bin`: a flat list of named tensors.
//!
//! Layout (little-endian): u32 version; from version 2 a spec name and a u32
//! revision; u32 variable count; per variable a name, u8 rank, rank × u32
//! dims, u8 dtype, u32 byte count and the raw row-major data; from version 3
//! a u32 alias count and (alias, target) name pairs. Strings are a u16 length
//! that counts a trailing NUL, then the bytes and the NUL.
//!
//! Every length is checked against what is left of the buffer, so a truncated
//! or foreign file is an error naming what was being read, never a panic.

use std::collections::HashMap;

use super::ModelError;

/// Element types, numbered as in CTranslate2's `DataType` enum.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DType {
    F32,
    I8,
    I16,
    I32,
    F16,
    BF16,
}

impl DType {
    fn from_id(id: u8) -> Option<DType> {
        Some(match id {
            0 => DType::F32,
            1 => DType::I8,
            2 => DType::I16,
            3 => DType::I32,
            4 => DType::F16,
            5 => DType::BF16,
            _ => return None,
        })
    }

    pub fn size(self) -> usize {
        match self {
            DType::I8 => 1,
            DType::I16 | DType::F16 | DType::BF16 => 2,
            DType::F32 | DType::I32 => 4,
        }
    }
}

#[derive(Debug)]
pub struct Variable<'a> {
    pub shape: Vec<usize>,
    pub dtype: DType,
    pub data: &'a [u8],
}

impl Variable<'_> {
    /// The values as f32 (integers converted exactly, no scale applied).
    pub fn to_f32(&self) -> Vec<f32> {
        let chunks = self.data.chunks_exact(self.dtype.size());
        match self.dtype {
            DType::F32 => chunks
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect(),
            DType::F16 => chunks
                .map(|c| half::f16::from_le_bytes([c[0], c[1]]).to_f32())
                .collect(),
            DType::BF16 => chunks
                .map(|c| half::bf16::from_le_bytes([c[0], c[1]]).to_f32())
                .collect(),
            DType::I8 => self.data.iter().map(|&b| f32::from(b as i8)).collect(),
            DType::I16 => chunks
                .map(|c| f32::from(i16::from_le_bytes([c[0], c[1]])))
                .collect(),
            DType::I32 => chunks
                .map(|c| i32::from_le_bytes([c[0], c[1], c[2], c[3]]) as f32)
                .collect(),
        }
    }

    /// A scalar's value as an integer (e.g. `encoder/num_heads`).
    pub fn scalar_int(&self) -> Option<i64> {
        if !self.shape.is_empty() {
            return None;
        }
        let v = self.to_f32();
        v.first().map(|&x| x as i64)
    }
}

/// A parsed model: variables borrow the file's bytes, aliases are resolved
/// on lookup.
#[derive(Debug)]
pub struct Ct2Model<'a> {
    pub spec: String,
    pub variables: HashMap<String, Variable<'a>>,
    pub aliases: HashMap<String, String>,
}

impl<'a> Ct2Model<'a> {
    pub fn parse(bytes: &'a [u8]) -> Result<Ct2Model<'a>, ModelError> {
        let mut r = Reader { bytes, pos: 0 };
        let version = r.u32("the format version")?;
        if !(1..=6).contains(&version) {
            return Err(r.bad(format!(
                "format version {version} is not a CTranslate2 model.bin (expected 1 to 6)"
            )));
        }
        let mut spec = String::new();
        if version >= 2 {
            spec = r.string("the spec name")?;
            r.u32("the spec revision")?;
        }
        let count = r.u32("the variable count")?;
        let mut variables = HashMap::new();
        for _ in 0..count {
            let name = r.string("a variable name")?;
            let rank = r.u8("a rank")?;
            let mut shape = Vec::with_capacity(usize::from(rank));
            for _ in 0..rank {
                shape.push(r.u32("a dimension")? as usize);
            }
            let dtype_id = r.u8("a dtype")?;
            let dtype = DType::from_id(dtype_id)
                .ok_or_else(|| r.bad(format!("{name}: unknown dtype {dtype_id}")))?;
            let nbytes = r.u32("a byte count")? as usize;
            let elements = shape
                .iter()
                .try_fold(1usize, |acc, &d| acc.checked_mul(d))
                .and_then(|n| n.checked_mul(dtype.size()));
            if elements != Some(nbytes) {
                return Err(r.bad(format!(
                    "{name}: shape {shape:?} of {dtype:?} does not match its {nbytes} bytes"
                )));
            }
            let data = r.take(nbytes, &name)?;
            variables.insert(name, Variable { shape, dtype, data });
        }
        let mut aliases = HashMap::new();
        if version >= 3 {
            let n = r.u32("the alias count")?;
            for _ in 0..n {
                let alias = r.string("an alias")?;
                let target = r.string("an alias target")?;
                aliases.insert(alias, target);
            }
        }
        Ok(Ct2Model {
            spec,
            variables,
            aliases,
        })
    }

    pub fn get(&self, name: &str) -> Option<&Variable<'a>> {
        self.variables.get(name).or_else(|| {
            self.aliases
                .get(name)
                .and_then(|target| self.variables.get(target))
        })
    }

    /// A variable that must exist.
    pub fn require(&self, name: &str) -> Result<&Variable<'a>, ModelError> {
        self.get(name)
            .ok_or_else(|| ModelError::Invalid(format!("model.bin has no variable {name}")))
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn bad(&self, what: String) -> ModelError {
        ModelError::Invalid(format!("model.bin at byte {}: {what}", self.pos))
    }

    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], ModelError> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.bytes.len());
        match end {
            Some(end) => {
                let slice = &self.bytes[self.pos..end];
                self.pos = end;
                Ok(slice)
            }
            None => Err(self.bad(format!(
                "truncated while reading {what} ({n} bytes wanted, {} left)",
                self.bytes.len() - self.pos
            ))),
        }
    }

    fn u8(&mut self, what: &str) -> Result<u8, ModelError> {
        Ok(self.take(1, what)?[0])
    }

    fn u32(&mut self, what: &str) -> Result<u32, ModelError> {
        let b = self.take(4, what)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn string(&mut self, what: &str) -> Result<String, ModelError> {
        let b = self.take(2, what)?;
        let len = usize::from(u16::from_le_bytes([b[0], b[1]]));
        let raw = self.take(len, what)?;
        let Some((0, text)) = raw.split_last() else {
            return Err(self.bad(format!("{what} is not NUL-terminated")));
        };
        String::from_utf8(text.to_vec()).map_err(|_| self.bad(format!("{what} is not UTF-8")))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn string(out: &mut Vec<u8>, s: &str) {
        out.extend_from_slice(&((s.len() + 1) as u16).to_le_bytes());
        out.extend_from_slice(s.as_bytes());
        out.push(0);
    }

    /// A version-6 file with the given f32 variables and aliases.
    pub(crate) fn file(vars: &[(&str, &[usize], &[f32])], aliases: &[(&str, &str)]) -> Vec<u8> {
        let mut out = 6u32.to_le_bytes().to_vec();
        string(&mut out, "WhisperSpec");
        out.extend_from_slice(&3u32.to_le_bytes());
        out.extend_from_slice(&(vars.len() as u32).to_le_bytes());
        for (name, shape, data) in vars {
            string(&mut out, name);
            out.push(shape.len() as u8);
            for d in *shape {
                out.extend_from_slice(&(*d as u32).to_le_bytes());
            }
            out.push(0);
            out.extend_from_slice(&((data.len() * 4) as u32).to_le_bytes());
            for v in *data {
                out.extend_from_slice(&v.to_le_bytes());
            }
        }
        out.extend_from_slice(&(aliases.len() as u32).to_le_bytes());
        for (a, t) in aliases {
            string(&mut out, a);
            string(&mut out, t);
        }
        out
    }

    #[test]
    fn variables_and_aliases_read_back() {
        let bytes = file(&[("a/b", &[2, 2], &[1.0, 2.0, 3.0, 4.0])], &[("c", "a/b")]);
        let model = Ct2Model::parse(&bytes).unwrap();
        assert_eq!(model.spec, "WhisperSpec");
        let v = model.get("c").unwrap();
        assert_eq!(v.shape, vec![2, 2]);
        assert_eq!(v.to_f32(), vec![1.0, 2.0, 3.0, 4.0]);
    }

    #[test]
    fn every_truncation_is_an_error_not_a_panic() {
        let bytes = file(&[("a/b", &[2, 2], &[1.0, 2.0, 3.0, 4.0])], &[("c", "a/b")]);
        for cut in 0..bytes.len() {
            let err = Ct2Model::parse(&bytes[..cut]).unwrap_err();
            assert!(err.to_string().contains("model.bin"), "{err}");
        }
    }

    #[test]
    fn a_size_that_disagrees_with_the_shape_is_refused() {
        let mut bytes = file(&[("w", &[3], &[1.0, 2.0, 3.0])], &[]);
        // Claim a 4x1 shape for 3 values: the byte count no longer matches.
        let dim_at = 4 + 2 + 12 + 4 + 4 + 2 + 2 + 1;
        bytes[dim_at..dim_at + 4].copy_from_slice(&4u32.to_le_bytes());
        let err = Ct2Model::parse(&bytes).unwrap_err().to_string();
        assert!(err.contains("does not match"), "{err}");
    }
}
